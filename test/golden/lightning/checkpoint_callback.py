"""checkpoint_callback=: a bool is enable_checkpointing, a ModelCheckpoint instance goes into callbacks=[...]."""
import pytorch_lightning as pl
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint


def trainer_with_callback(dirpath):
    checkpoint = ModelCheckpoint(dirpath=dirpath, monitor="val_loss", save_top_k=1)
    return pl.Trainer(max_epochs=1, checkpoint_callback=checkpoint)


def trainer_with_list(dirpath):
    return pl.Trainer(
        max_epochs=1,
        callbacks=[EarlyStopping(monitor="val_loss")],
        checkpoint_callback=ModelCheckpoint(dirpath=dirpath, filename="best"),
    )


def trainer_with_trailing_comma(dirpath):
    return pl.Trainer(
        callbacks=[
            EarlyStopping(monitor="val_loss"),
        ],
        checkpoint_callback=ModelCheckpoint(dirpath=dirpath),
        max_epochs=1,
    )


def trainer_without_checkpoints():
    enabled = False
    return pl.Trainer(max_epochs=1, checkpoint_callback=enabled)


def trainer_with_checkpoints():
    return pl.Trainer(max_epochs=1, checkpoint_callback=True)
