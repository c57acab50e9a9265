import lightning as L
from lightning.pytorch.tuner import Tuner

model = L.LightningModule()
trainer = L.Trainer(max_epochs=3)
tuner = Tuner(trainer)
tuner.scale_batch_size(model)
tuner.lr_find(model)
trainer.fit(model)

other = L.Trainer(devices=1)
tuner = Tuner(other)
tuner.scale_batch_size(model, method="fit", mode="power")
tuner.lr_find(model, method="fit")
