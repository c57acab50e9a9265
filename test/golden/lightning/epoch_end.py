import torch
import pytorch_lightning as pl


class Classifier(pl.LightningModule):
    """A small classifier."""

    def __init__(self, lr=1e-3):
        super().__init__()
        self.lr = lr
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.layer(x), y)
        return loss

    def training_epoch_end(self, outputs):
        # mean of the detached losses, as 1.x handed them over
        avg = torch.stack([o["loss"] for o in outputs]).mean()
        self.log("train_epoch_loss", avg)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        if x.numel() == 0:
            return None
        return {"val_loss": torch.nn.functional.cross_entropy(self.layer(x), y)}

    def validation_epoch_end(self, outs):
        if not outs:
            return
        self.log("val_loss", torch.stack([o["val_loss"] for o in outs]).mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


class NoInit(pl.LightningModule):
    def test_step(self, batch, batch_idx, dataloader_idx=0):
        return batch[0].sum()

    def test_epoch_end(self, outputs):
        self.log("n_loaders", float(len(outputs)))


def main():
    trainer = pl.Trainer(gpus=2, precision=16, max_epochs=1, resume_from_checkpoint="last.ckpt")
    trainer.fit(Classifier())
