"""Trainer arguments that arrive indirectly: splatted dicts built above, and names bound to literals."""
import pytorch_lightning as pl


def from_literal():
    cfg = {"accelerator": "gpu", "devices": 1, "max_epochs": 3, "use_distributed_sampler": False}
    return pl.Trainer(**cfg)


def from_dict_call(args):
    kwargs = dict(max_epochs=args.epochs, strategy="ddp")
    kwargs.update(progress_bar_refresh_rate=0, weights_summary=None)
    kwargs["amp_backend"] = "native"
    return pl.Trainer(**kwargs)


def inline():
    return pl.Trainer(**{"precision": 32}, **dict(use_distributed_sampler=False))


def device_flags(n):
    return dict(accelerator="gpu" if n else "cpu", devices=n or 1, auto_select_gpus=True)


def from_function(n):
    return pl.Trainer(**device_flags(n), max_epochs=1)


def names_bound_above(use_ddp):
    strategy = None
    precision = 16
    accelerator = "ddp"
    return pl.Trainer(strategy=strategy, precision=precision, accelerator=accelerator, max_steps=None)
