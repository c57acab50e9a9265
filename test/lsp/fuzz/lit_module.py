import torch
import torch.nn.functional as F
import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelCheckpoint


class LitAutoEncoder(pl.LightningModule):
    def __init__(self, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = torch.nn.Sequential(torch.nn.Linear(28 * 28, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3))
        self.decoder = torch.nn.Sequential(torch.nn.Linear(3, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 28 * 28))

    def training_step(self, batch, batch_idx):
        x, _ = batch
        x = x.view(x.size(0), -1)
        loss = F.mse_loss(self.decoder(self.encoder(x)), x)
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, _ = batch
        x = x.view(x.size(0), -1)
        return {"val_loss": F.mse_loss(self.decoder(self.encoder(x)), x)}

    def validation_epoch_end(self, outputs):
        avg = torch.stack([o["val_loss"] for o in outputs]).mean()
        self.log("val_loss", avg)

    def training_epoch_end(self, outputs):
        pass

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class PrintCallback(pl.Callback):
    def on_epoch_end(self, trainer, pl_module):
        print("epoch done")


if __name__ == "__main__":
    trainer = pl.Trainer(gpus=2, accelerator="ddp", max_epochs=5, precision=16, weights_summary=None, callbacks=[PrintCallback(), ModelCheckpoint(monitor="val_loss")])
    trainer.fit(LitAutoEncoder())
