"""Tuning a model with the 1.x Trainer flags."""
import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.tuner import Tuner


def tune_and_fit(model, dm):
    trainer = pl.Trainer(
        max_epochs=3,
        # pick the learning rate first
        callbacks=[ModelCheckpoint()],
    )
    tuner = Tuner(trainer)
    tuner.scale_batch_size(model, datamodule=dm, mode="binsearch")
    tuner.lr_find(model, datamodule=dm)  # writes model.lr and model.batch_size
    trainer.fit(model, datamodule=dm)


def tune_named_attribute(model, train_loader, val_loader):
    trainer = pl.Trainer(max_epochs=1)
    tuner = Tuner(trainer)
    tuner.lr_find(model, train_loader, val_loader, min_lr=1e-6, num_training=50, attr_name="my_lr")
    trainer.fit(model, train_loader, val_loader)


def tune_batch_size_only(model, dm, extra):
    trainer = pl.Trainer(max_epochs=2)
    tuner = Tuner(trainer)
    tuner.scale_batch_size(model, datamodule=dm, **extra)
    return trainer


def nothing_to_tune(model, dm, args):
    trainer = pl.Trainer(max_epochs=1)
    if args.tune:
        pass  # trainer.tune(model, datamodule=dm) removed: it did nothing without auto_lr_find / auto_scale_batch_size, and Lightning 2.x has no Trainer.tune()
    # trainer.tune(model, datamodule=dm) removed: it did nothing without auto_lr_find / auto_scale_batch_size, and Lightning 2.x has no Trainer.tune()
    trainer.fit(model, datamodule=dm)


def disabled(model):
    trainer = pl.Trainer(max_epochs=1)
    trainer.fit(model)


def tuned_elsewhere(model, run):
    # The trainer is tuned by a helper: nothing can be moved automatically.
    trainer = pl.Trainer(auto_lr_find=True)
    run(trainer, model)
