"""gpus= → accelerator= + devices=, keeping what each value meant in 1.x."""
import torch
import pytorch_lightning as pl


def count():
    return pl.Trainer(gpus=2)


def every_gpu():
    return pl.Trainer(gpus=-1, max_epochs=3)


def indices():
    return pl.Trainer(gpus=[0, 1], precision=32)


def on_cpu():
    return pl.Trainer(gpus=0), pl.Trainer(gpus=None)


def chosen_accelerator():
    return pl.Trainer(accelerator="cuda", gpus=1)


def cpu_accelerator():
    return pl.Trainer(
        accelerator="cpu",
        gpus=0,
        max_epochs=1,
    )


def guarded():
    return pl.Trainer(gpus=1 if torch.cuda.is_available() else 0)


def from_arguments(args):
    return pl.Trainer(gpus=args.gpus)
