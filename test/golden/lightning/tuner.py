"""Tuning a model with the 1.x Trainer flags."""
import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelCheckpoint


def tune_and_fit(model, dm):
    trainer = pl.Trainer(
        max_epochs=3,
        auto_lr_find=True,  # pick the learning rate first
        auto_scale_batch_size="binsearch",
        callbacks=[ModelCheckpoint()],
    )
    trainer.tune(model, datamodule=dm)  # writes model.lr and model.batch_size
    trainer.fit(model, datamodule=dm)


def tune_named_attribute(model, train_loader, val_loader):
    trainer = pl.Trainer(max_epochs=1, auto_lr_find="my_lr")
    trainer.tune(model, train_loader, val_loader, lr_find_kwargs={"min_lr": 1e-6, "num_training": 50})
    trainer.fit(model, train_loader, val_loader)


def tune_batch_size_only(model, dm, extra):
    trainer = pl.Trainer(auto_scale_batch_size=True, max_epochs=2)
    trainer.tune(model, datamodule=dm, scale_batch_size_kwargs=extra)
    return trainer


def nothing_to_tune(model, dm, args):
    trainer = pl.Trainer(max_epochs=1)
    if args.tune:
        trainer.tune(model, datamodule=dm)
    trainer.tune(model, datamodule=dm)
    trainer.fit(model, datamodule=dm)


def disabled(model):
    trainer = pl.Trainer(max_epochs=1, auto_lr_find=False)
    trainer.fit(model)


def tuned_elsewhere(model, run):
    # The trainer is tuned by a helper: nothing can be moved automatically.
    trainer = pl.Trainer(auto_lr_find=True)
    run(trainer, model)
