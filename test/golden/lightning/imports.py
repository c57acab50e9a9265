import torch
import pytorch_lightning as pl
from pytorch_lightning.loggers.base import LightningLoggerBase, rank_zero_experiment
from pytorch_lightning.plugins import DDPPlugin
from pytorch_lightning.utilities.cloud_io import get_filesystem


class Timer(pl.Callback):
    def on_train_epoch_end(self, trainer, pl_module, outputs):
        print(trainer.current_epoch)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx):
        pass


class Quiet(LightningLoggerBase):
    @property
    def name(self):
        return "quiet"


fs = get_filesystem("/tmp")
strategy = DDPPlugin(find_unused_parameters=False)
