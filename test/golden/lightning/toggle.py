import lightning.pytorch as pl
import torch


class Contrastive(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.a = torch.nn.Linear(4, 4)
        self.b = torch.nn.Linear(4, 4)

    def training_step(self, batch, batch_idx):
        opt_a, opt_b = self.optimizers()
        self.toggle_optimizer(opt_a, 0)  # first one
        loss = self.a(batch).sum()
        self.manual_backward(loss)
        opt_a.step()
        self.untoggle_optimizer(0)
        if batch_idx % 2:
            self.toggle_optimizer(opt_b, 1)
            loss = self.b(batch).sum()
            self.manual_backward(loss)
            opt_b.step()
            self.untoggle_optimizer(1)

    def configure_optimizers(self):
        return torch.optim.SGD(self.a.parameters(), lr=0.1), torch.optim.SGD(self.b.parameters(), lr=0.1)
