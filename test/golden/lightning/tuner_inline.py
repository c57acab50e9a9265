import lightning as L

model = L.LightningModule()
trainer = L.Trainer(max_epochs=3, auto_lr_find=True, auto_scale_batch_size=True)
trainer.tune(model)
trainer.fit(model)

other = L.Trainer(auto_scale_batch_size="power", auto_lr_find=True, devices=1)
other.tune(model, method="fit")
