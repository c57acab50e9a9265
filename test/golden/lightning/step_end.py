import torch
import lightning.pytorch as L


class Tagger(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Linear(3, 2)

    def training_step(self, batch, batch_idx):
        loss = self.net(batch).sum()
        return loss

    def training_step_end(self, loss):
        return loss.mean()

    def on_train_epoch_end(self, outputs):
        self.log("n", float(len(outputs)))

    def validation_step(self, batch, batch_idx):
        return {"score": self.net(batch).sum()}

    def validation_step_end(self, out):
        out["score"] = out["score"] * 2
        return out

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)
