"""A stand-in for a training run that needs nothing but Python: it prints the log lines the Hugging Face Trainer
prints, so you can try "Fine-Tune: Launch Training Job" on this file and watch the Training Jobs view and the loss
chart without a GPU. Pass --fail to see a failed run (exit code 3) and --oom to see a CUDA out-of-memory error
become a diagnostic.
"""
import math
import sys
import time

steps = 40
for step in range(1, steps + 1):
    loss = 2.5 * math.exp(-step / 15) + 0.3 + 0.05 * math.sin(step)
    lr = 5e-5 * min(1.0, step / 5)
    print({"loss": round(loss, 4), "grad_norm": round(1.0 / step, 4), "learning_rate": lr, "epoch": round(step / steps, 3)}, flush=True)
    if step % 10 == 0:
        print({"eval_loss": round(loss + 0.1, 4), "eval_runtime": 0.5, "epoch": round(step / steps, 3)}, flush=True)
    if "--oom" in sys.argv and step == 25:
        print("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.02 GiB is free.", file=sys.stderr, flush=True)
        sys.exit(1)
    time.sleep(0.1)

if "--fail" in sys.argv:
    print("ValueError: the evaluation set is empty", file=sys.stderr)
    sys.exit(3)
print({"train_runtime": 4.2, "train_loss": round(loss, 4), "epoch": 1.0})
