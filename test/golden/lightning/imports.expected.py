import torch
import pytorch_lightning as pl
from pytorch_lightning.loggers.logger import Logger as LightningLoggerBase, rank_zero_experiment
from pytorch_lightning.strategies import DDPStrategy as DDPPlugin
from lightning.fabric.utilities.cloud_io import get_filesystem


class Timer(pl.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        print(trainer.current_epoch)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        pass


class Quiet(LightningLoggerBase):
    @property
    def name(self):
        return "quiet"


fs = get_filesystem("/tmp")
strategy = DDPPlugin(find_unused_parameters=False)
