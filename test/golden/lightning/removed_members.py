"""Removed Trainer attributes and self.log of a dict."""
import torch
import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback


class Module(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        loss = self.layer(batch).sum()
        metrics = {"loss": loss, "size": float(batch.shape[0])}
        self.log("train", metrics)
        self.log("train_inline", {"loss": loss})
        return loss

    def on_train_epoch_start(self):
        lr = self.trainer.lr_schedulers[0]["scheduler"].get_last_lr()[0]
        self.log("lr", lr)


class LrMonitor(Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        for config in trainer.lr_schedulers:
            print(config["scheduler"])


def report(trainer):
    return len(trainer.lr_schedulers)
