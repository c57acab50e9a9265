"""A Lightning 1.x text classifier, as many projects still have them.

Open it with Fine-Tune Workbench: every API that Lightning 2.x removed is underlined. Put the cursor on one and
press Ctrl+. for a fix that keeps the behaviour, or run "Fine-Tune: Migrate Lightning Code in Workspace" to fix
them all in one previewed edit.
"""
import pytorch_lightning as pl
import torch
from torch import nn
from torch.nn import functional as F


class TextClassifier(pl.LightningModule):
    def __init__(self, vocab_size: int = 1000, num_classes: int = 4, lr: float = 1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embedding = nn.EmbeddingBag(vocab_size, 64)
        self.head = nn.Linear(64, num_classes)

    def forward(self, tokens):
        return self.head(self.embedding(tokens))

    def training_step(self, batch, batch_idx):
        tokens, labels = batch
        loss = F.cross_entropy(self(tokens), labels)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, labels = batch
        logits = self(tokens)
        return {"loss": F.cross_entropy(logits, labels), "correct": (logits.argmax(-1) == labels).sum(), "n": len(labels)}

    # Lightning 2.x raises here: validation_epoch_end(outputs) was removed.
    def validation_epoch_end(self, outputs):
        loss = torch.stack([o["loss"] for o in outputs]).mean()
        accuracy = sum(o["correct"] for o in outputs) / sum(o["n"] for o in outputs)
        self.log_dict({"val_loss": loss, "val_acc": accuracy})

    # Lightning 2.x never calls this one: a silent no-op, the worst kind.
    def on_epoch_end(self):
        print(f"epoch {self.current_epoch} done")

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def build():
    return TextClassifier()


if __name__ == "__main__":
    trainer = pl.Trainer(gpus=1, max_epochs=3, precision=16)
    trainer.fit(build())
