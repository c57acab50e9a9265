import torch
import pytorch_lightning as pl


class Classifier(pl.LightningModule):
    """A small classifier."""

    def __init__(self, lr=1e-3):
        super().__init__()
        self.training_step_outputs = []
        self.validation_step_outputs = []
        self.lr = lr
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.layer(x), y)
        step_output = loss
        if step_output is not None:
            self.training_step_outputs.append({"loss": step_output.detach()} if hasattr(step_output, "detach") else {**step_output, "loss": step_output["loss"].detach()})
        return step_output

    def on_train_epoch_end(self):
        outputs = self.training_step_outputs
        self.training_step_outputs = []
        # mean of the detached losses, as 1.x handed them over
        avg = torch.stack([o["loss"] for o in outputs]).mean()
        self.log("train_epoch_loss", avg)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        if x.numel() == 0:
            step_output = None
            if step_output is not None:
                self.validation_step_outputs.append(step_output)
            return step_output
        step_output = {"val_loss": torch.nn.functional.cross_entropy(self.layer(x), y)}
        if step_output is not None:
            self.validation_step_outputs.append(step_output)
        return step_output

    def on_validation_epoch_end(self):
        outs = self.validation_step_outputs
        self.validation_step_outputs = []
        if not outs:
            return
        self.log("val_loss", torch.stack([o["val_loss"] for o in outs]).mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


class NoInit(pl.LightningModule):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.test_step_outputs = {}

    def test_step(self, batch, batch_idx, dataloader_idx=0):
        step_output = batch[0].sum()
        if step_output is not None:
            self.test_step_outputs.setdefault(dataloader_idx, []).append(step_output)
        return step_output

    def on_test_epoch_end(self):
        outputs = [self.test_step_outputs[i] for i in sorted(self.test_step_outputs)]
        if len(outputs) == 1:
            outputs = outputs[0]
        self.test_step_outputs = {}
        self.log("n_loaders", float(len(outputs)))


def main():
    trainer = pl.Trainer(accelerator="gpu", devices=2, precision="16-mixed", max_epochs=1)
    trainer.fit(Classifier(), ckpt_path="last.ckpt")
