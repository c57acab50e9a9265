import pytorch_lightning as pl
from pytorch_lightning.utilities.apply_func import apply_to_collection, move_data_to_device as to_device
from pytorch_lightning.utilities.apply_func import move_data_to_device
from pytorch_lightning.utilities.apply_func import (
    apply_to_collections,  # two collections at once
)
from pytorch_lightning.utilities.apply_func import convert_to_tensors, from_numpy
from pytorch_lightning.utilities.distributed import rank_zero_only, sync_ddp
from pytorch_lightning.profiler import BaseProfiler, SimpleProfiler


class Model(pl.LightningModule):
    @rank_zero_only
    def report(self, batch):
        return apply_to_collection(move_data_to_device(batch, self.device), dict, to_device, "cpu")
