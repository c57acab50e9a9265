"""Runs the checks of one migrated golden module (test/golden/lightning) under Lightning 2.x on the CPU.

Usage: python check_golden.py MODULE_DIR MODULE_NAME. Prints one JSON line: {"ok": bool, "error": ...}. Each check
says what the 1.x code did and asserts the migrated code still does it.
"""
import importlib
import json
import os
import sys
import tempfile
import traceback
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, sys.argv[1])


def check_checkpoint_callback(m):
    from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint

    tmp = os.path.realpath(tempfile.mkdtemp())
    # The user's ModelCheckpoint is the one the Trainer uses (not a default one added beside or instead of it).
    t = m.trainer_with_callback(tmp)
    assert len(t.checkpoint_callbacks) == 1, t.checkpoint_callbacks
    assert t.checkpoint_callback.dirpath == tmp and t.checkpoint_callback.save_top_k == 1, vars(t.checkpoint_callback)
    t = m.trainer_with_list(tmp)
    assert len(t.checkpoint_callbacks) == 1 and t.checkpoint_callback.filename == "best", t.checkpoint_callbacks
    assert any(isinstance(c, EarlyStopping) for c in t.callbacks)
    t = m.trainer_with_trailing_comma(tmp)
    assert len(t.checkpoint_callbacks) == 1 and t.checkpoint_callback.dirpath == tmp
    assert any(isinstance(c, EarlyStopping) for c in t.callbacks)
    assert m.trainer_without_checkpoints().checkpoint_callback is None
    assert isinstance(m.trainer_with_checkpoints().checkpoint_callback, ModelCheckpoint)


def check_multi_loader_epoch_end(m):
    # 1.x handed *_epoch_end one list per loader when there were several, a flat list for one.
    model = m.build_two_loaders()
    import pytorch_lightning as pl

    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, max_epochs=1, limit_train_batches=2, limit_val_batches=3, num_sanity_val_steps=0)
    trainer.fit(model)
    assert model.seen_shape == [3, 3], model.seen_shape
    trainer.validate(model)
    assert model.seen_shape == [3, 3], model.seen_shape
    model = m.build_one_loader()
    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, max_epochs=1, limit_train_batches=2, limit_val_batches=3, num_sanity_val_steps=0)
    trainer.fit(model)
    assert model.seen_shape == 3, model.seen_shape
    # An epoch end that never read its outputs, in a class without a training_step of its own, still runs.
    model = m.build_epoch_counter()
    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, max_epochs=2, limit_train_batches=2, limit_val_batches=1, num_sanity_val_steps=0)
    trainer.fit(model)
    assert model.epochs_done == 2, getattr(model, "epochs_done", None)


def check_signatures(m):
    # lightning_lite imports now name lightning_fabric (importing the module proved it); transfer_batch_to_device
    # gets the loader index and passes it to super(); on_predict_epoch_end sees one list per loader, as in 1.x.
    import torch
    from torch.utils.data import DataLoader
    import pytorch_lightning as pl

    model = m.Module()
    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_progress_bar=False, enable_model_summary=False)
    batches = trainer.predict(model, DataLoader(torch.randn(6, 4), batch_size=2))
    assert len(batches) == 3, len(batches)
    assert model.n_predictions == 3, model.n_predictions  # 1.x: [[b1, b2, b3]] -> 3 batches, not 6 rows
    m.main()


CHECKS = {"checkpoint_callback": check_checkpoint_callback, "multi_loader_epoch_end": check_multi_loader_epoch_end, "signatures": check_signatures}

try:
    name = sys.argv[2]
    CHECKS[name](importlib.import_module(name))
    print(json.dumps({"ok": True}))
except BaseException as e:  # noqa: BLE001 - report anything
    print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"[:300], "trace": traceback.format_exc()[-1200:]}))
