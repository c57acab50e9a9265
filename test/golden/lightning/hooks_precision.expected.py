import pytorch_lightning as pl
from pytorch_lightning import Callback


class Model(pl.LightningModule):
    def _on_epoch_start(self):
        # reset the running statistics
        self.seen = 0

    def on_train_epoch_start(self):
        self._on_epoch_start()

    def on_validation_epoch_start(self):
        self._on_epoch_start()

    def on_test_epoch_start(self):
        self._on_epoch_start()

    def training_step(self, batch, batch_idx):
        if self.trainer.precision == "16-mixed":
            batch = batch.half()
        self.seen += len(batch)
        return self(batch).sum()

    def on_fit_start(self):
        self.mixed = self.trainer.precision in ("16-mixed", "bf16-mixed")
        self.half = self.trainer.precision != "16-mixed"


class Timing(Callback):
    def _on_epoch_end(self, trainer, pl_module):
        print("epoch done", trainer.current_epoch)

    def on_train_epoch_end(self, trainer, pl_module):
        self._on_epoch_end(trainer, pl_module)

    def on_validation_epoch_end(self, trainer, pl_module):
        self._on_epoch_end(trainer, pl_module)

    def on_test_epoch_end(self, trainer, pl_module):
        self._on_epoch_end(trainer, pl_module)

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.tick = trainer.global_step

    def on_train_batch_end(self, trainer: "pl.Trainer", pl_module: "pl.LightningModule", outputs, batch, batch_idx):
        print(trainer.global_step - self.tick)


class Metrics(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.precision = object()  # a metric of the model's own

    def validation_step(self, batch, batch_idx):
        return self.precision


def run(model):
    trainer = pl.Trainer(precision="16-mixed")
    if trainer.precision == "16-mixed":
        print("mixed precision")
    trainer.fit(model)
