"""Runs one migrated Lightning module under Lightning 2.x on the CPU: build(), fit, then validate/test.

Usage: python run_module.py MODULE_DIR MODULE_NAME. Prints one JSON line: {"ok": bool, "stage": ..., "error": ...}.
"""
import importlib
import json
import sys
import traceback
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, sys.argv[1])
stage = "import"
try:
    module = importlib.import_module(sys.argv[2])
    stage = "build"
    model, datamodule = module.build()
    # The Trainer of the package the model's class comes from: pytorch_lightning and lightning.pytorch are two
    # installs whose classes do not mix.
    if any(c.__module__.startswith("pytorch_lightning") for c in type(model).__mro__):
        import pytorch_lightning as pl
    else:
        import lightning.pytorch as pl
    trainer = pl.Trainer(accelerator="cpu", devices=1, fast_dev_run=2, logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    stage = "fit"
    trainer.fit(model, datamodule=datamodule)
    for name, step in (("validate", "validation_step"), ("test", "test_step")):
        if type(model).__dict__.get(step) or any(step in vars(c) for c in type(model).__mro__[:-1] if c.__module__ == type(model).__module__):
            stage = name
            getattr(trainer, name)(model, datamodule=datamodule)
    print(json.dumps({"ok": True, "stage": "done"}))
except BaseException as e:  # noqa: BLE001 - report anything, including SystemExit from argparse
    print(json.dumps({"ok": False, "stage": stage, "error": f"{type(e).__name__}: {e}"[:300], "trace": traceback.format_exc()[-800:]}))
