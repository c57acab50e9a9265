"""Arguments renamed on the way to 2.x: fit/validate/test data, ModelCheckpoint, a positional Trainer argument."""
import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger


def run(model, train, val, test):
    checkpoint = ModelCheckpoint(dirpath="checkpoints", filename="{epoch}-{val_loss:.2f}", every_n_epochs=2, monitor="val_loss")
    trainer = pl.Trainer(logger=CSVLogger("logs"), max_epochs=3, callbacks=[checkpoint])
    trainer.fit(model, train_dataloaders=train, val_dataloaders=val)
    trainer.validate(model, dataloaders=val)
    trainer.test(model, dataloaders=test)


def folder_or_file(model):
    return ModelCheckpoint(filepath="checkpoints/best")
