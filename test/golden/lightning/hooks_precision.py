import pytorch_lightning as pl
from pytorch_lightning import Callback


class Model(pl.LightningModule):
    def on_epoch_start(self):
        # reset the running statistics
        self.seen = 0

    def training_step(self, batch, batch_idx):
        if self.precision == 16:
            batch = batch.half()
        self.seen += len(batch)
        return self(batch).sum()

    def on_fit_start(self):
        self.mixed = self.trainer.precision in (16, "16", "bf16")
        self.half = self.trainer.precision != "16"


class Timing(Callback):
    def on_epoch_end(self, trainer, pl_module):
        print("epoch done", trainer.current_epoch)

    def on_batch_start(self, trainer, pl_module):
        self.tick = trainer.global_step

    def on_batch_end(self, trainer: "pl.Trainer", pl_module: "pl.LightningModule"):
        print(trainer.global_step - self.tick)


class Metrics(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.precision = object()  # a metric of the model's own

    def validation_step(self, batch, batch_idx):
        return self.precision


def run(model):
    trainer = pl.Trainer(precision=16)
    if trainer.precision == 16:
        print("mixed precision")
    trainer.fit(model)
