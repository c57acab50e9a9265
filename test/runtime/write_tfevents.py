"""Writes a TensorBoard event file with tensorboardX (its own record writer, CRC32C and Google's protobuf), as a
training run would: simple_value scalars (add_scalar), a one-element float tensor and a double tensor_content
(TF 2.x and PyTorch's new-style scalars), a histogram and a text summary (not scalars). Prints the file's path."""
import sys

import numpy as np
from tensorboardX import SummaryWriter
from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboardX.proto.tensor_pb2 import TensorProto
from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

writer = SummaryWriter(logdir=sys.argv[1])
for step in range(1, 6):
    writer.add_scalar("train/loss", 2.0 / step, step)
    writer.add_scalar("train/learning_rate", 1e-4 * step, step)
scalars = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
as_float = TensorProto(dtype="DT_FLOAT", float_val=[0.75], tensor_shape=TensorShapeProto())
as_double = TensorProto(dtype="DT_DOUBLE", tensor_content=np.array([0.625], dtype="<f8").tobytes(), tensor_shape=TensorShapeProto())
file_writer = writer._get_file_writer()
file_writer.add_summary(Summary(value=[Summary.Value(tag="eval/loss", tensor=as_float, metadata=scalars)]), 5)
file_writer.add_summary(Summary(value=[Summary.Value(tag="eval/loss", tensor=as_double, metadata=scalars)]), 6)
writer.add_histogram("weights", np.arange(10, dtype=np.float32), 5)
writer.add_text("note", "a text summary", 5)
writer.close()
print(file_writer.get_logdir())
