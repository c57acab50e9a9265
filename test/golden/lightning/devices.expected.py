"""gpus= → accelerator= + devices=, keeping what each value meant in 1.x."""
import torch
import pytorch_lightning as pl


def count():
    return pl.Trainer(accelerator="gpu", devices=2)


def every_gpu():
    return pl.Trainer(accelerator="gpu", devices=-1, max_epochs=3)


def indices():
    return pl.Trainer(accelerator="gpu", devices=[0, 1], precision=32)


def on_cpu():
    return pl.Trainer(accelerator="cpu"), pl.Trainer(accelerator="cpu")


def chosen_accelerator():
    return pl.Trainer(accelerator="cuda", devices=1)


def cpu_accelerator():
    return pl.Trainer(
        accelerator="cpu",
        max_epochs=1,
    )


def guarded():
    return pl.Trainer(gpus=1 if torch.cuda.is_available() else 0)


def from_arguments(args):
    return pl.Trainer(accelerator="gpu" if args.gpus else "cpu", devices=args.gpus or 1)
