"""Per-loader outputs recognised by use (a loader index of any name), and an epoch end that never reads them."""
import torch
from torch.utils.data import DataLoader, TensorDataset
import pytorch_lightning as pl


def loader(n):
    return DataLoader(TensorDataset(torch.randn(n, 4), torch.randint(0, 2, (n,))), batch_size=1)


class Loaders(pl.LightningModule):
    def __init__(self, n_loaders):
        super().__init__()
        self.n_loaders = n_loaders
        self.layer = torch.nn.Linear(4, 2)
        self.seen_shape = None

    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.cross_entropy(self.layer(x), y)

    def validation_step(self, batch, batch_idx, dataset_idx=0):
        x, y = batch
        return {"val_loss": torch.nn.functional.cross_entropy(self.layer(x), y), "loader": dataset_idx}

    def validation_epoch_end(self, outputs):
        # one list per loader when there are several, as 1.x handed them over
        self.seen_shape = [len(o) for o in outputs] if self.n_loaders > 1 else len(outputs)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return loader(4)

    def val_dataloader(self):
        return [loader(3) for _ in range(self.n_loaders)] if self.n_loaders > 1 else loader(3)


class CountsEpochs(Loaders):
    """No training_step of its own: its epoch end never reads the outputs."""

    def training_epoch_end(self, outputs):
        self.epochs_done = getattr(self, "epochs_done", 0) + 1


def build_two_loaders():
    return Loaders(2)


def build_one_loader():
    return Loaders(1)


def build_epoch_counter():
    return CountsEpochs(1)
