"""Arguments and parameters on lines of their own: a fix leaves no whitespace-only line behind."""
import torch
import pytorch_lightning as pl


class Module(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        return self.layer(batch).sum()

    def on_train_batch_start(
        self,
        batch,
        batch_idx,
    ):
        self.batches = getattr(self, "batches", 0) + 1

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def main(path):
    trainer = pl.Trainer(
        max_epochs=1,
    )
    trainer.fit(Module(), ckpt_path=path)
