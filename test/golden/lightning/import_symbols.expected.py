import pytorch_lightning as pl
from lightning_utilities.core.apply_func import apply_to_collection
from lightning.fabric.utilities.apply_func import move_data_to_device as to_device
from lightning.fabric.utilities.apply_func import move_data_to_device
from lightning_utilities.core.apply_func import (
    apply_to_collections,  # two collections at once
)
from lightning.fabric.utilities.apply_func import convert_to_tensors
from pytorch_lightning.utilities.apply_func import from_numpy
from pytorch_lightning.utilities.rank_zero import rank_zero_only
from lightning.fabric.utilities.distributed import sync_ddp
from pytorch_lightning.profilers import Profiler as BaseProfiler, SimpleProfiler


class Model(pl.LightningModule):
    @rank_zero_only
    def report(self, batch):
        return apply_to_collection(move_data_to_device(batch, self.device), dict, to_device, "cpu")
