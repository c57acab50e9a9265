"""Hook signatures 2.x calls differently."""
import torch
import lightning_lite
from lightning_lite.utilities.seed import seed_everything
import pytorch_lightning as pl


class Module(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)

    def predict_step(self, batch, batch_idx):
        return self.layer(batch)

    def transfer_batch_to_device(self, batch, device):
        if isinstance(batch, dict):
            return {k: v.to(device) for k, v in batch.items()}
        return super().transfer_batch_to_device(batch, device)

    def on_predict_epoch_end(self, results):
        self.n_predictions = sum(len(r) for r in results)


class Data(pl.LightningDataModule):
    def transfer_batch_to_device(self, batch, device):
        return batch.to(device)


def main():
    seed_everything(0)
    print(lightning_lite.__version__)
