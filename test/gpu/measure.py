#!/usr/bin/env python3
"""Measure real peak GPU memory of fine-tuning steps, as dev rows for the VRAM estimator (issue 13).

Each run of setups.json builds a Llama-shaped model from catalog dimensions with random weights (no download),
runs a few real optimizer steps on random tokens, and records torch.cuda.max_memory_allocated, max_memory_reserved
and the device's used memory (what nvidia-smi shows: total - free), with the GPU, torch, transformers and peft
versions. Rows go to OUT in the format of test/bench/vram/measurements-*.jsonl (three rows a run: alloc, resv, smi;
one OOM row when it runs out of memory).

    python3 test/gpu/measure.py test/gpu/setups.json --out rows.jsonl [--deadline 540] [--steps 5] [--only run01,run02]
    python3 test/gpu/measure.py test/gpu/setups.json --dry-run     # CPU, tiny dimensions: checks the code path only

Needs torch with CUDA, transformers and peft (the device image has them). The training loop is what HF Trainer
does for one micro batch per step (gradient accumulation 1): forward under bf16 autocast with labels, backward,
optimizer step, zero_grad(set_to_none=True).
"""
import argparse
import gc
import json
import math
import os
import random
import subprocess
import sys
import time

GPU_NAMES = [  # torch.cuda.get_device_name -> the catalog's names (server/src/core/gpus/catalog.ts)
    ("H100 NVL", "H100 NVL 94GB"), ("H100", "H100 80GB"), ("H200", "H200 141GB"), ("A100-SXM4-40GB", "A100 40GB"),
    ("A100-PCIE-40GB", "A100 40GB"), ("A100", "A100 80GB"), ("A10G", "A10G 24GB"), ("L40S", "L40S 48GB"), ("L4", "L4 24GB"),
    ("T4", "T4"), ("RTX 4090", "RTX 4090"), ("RTX 3090", "RTX 3090"), ("RTX A6000", "RTX A6000 48GB"),
]


def catalog_gpu(name):
    for key, ours in GPU_NAMES:
        if key.lower() in name.lower():
            return ours
    return name


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:  # noqa: BLE001 - a copy without .git still measures
        return "unknown"


def build_model(setup, device, dry_run):
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig

    d = setup["model"]
    if dry_run:  # the same code path at a size a CPU runs in a second
        d = dict(d, hiddenSize=64, layers=2, attentionHeads=4, kvHeads=2, headDim=16, intermediateSize=128, vocabSize=512)
    cfg = LlamaConfig(
        hidden_size=d["hiddenSize"], intermediate_size=d["intermediateSize"], num_hidden_layers=d["layers"],
        num_attention_heads=d["attentionHeads"], num_key_value_heads=d["kvHeads"], head_dim=d["headDim"],
        vocab_size=d["vocabSize"], tie_word_embeddings=bool(d.get("tiedEmbeddings")), use_cache=False,
        max_position_embeddings=max(8192, setup["sequenceLength"]),
    )
    precision = setup["precision"]
    dtype = torch.float32 if precision in ("fp32", "bf16-mixed", "fp16-mixed") else torch.bfloat16
    attn = setup["attention"] if setup["attention"] != "flash" else "sdpa"
    with torch.device(device):
        try:  # transformers renamed torch_dtype to dtype (4.56)
            model = AutoModelForCausalLM.from_config(cfg, dtype=dtype, attn_implementation=attn)
        except TypeError:
            model = AutoModelForCausalLM.from_config(cfg, torch_dtype=dtype, attn_implementation=attn)
    if setup["gradientCheckpointing"]:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if setup["method"] in ("lora", "qlora"):
        from peft import LoraConfig, get_peft_model

        lora = setup["lora"]
        model = get_peft_model(model, LoraConfig(r=lora["rank"], lora_alpha=lora.get("alpha", 2 * lora["rank"]), target_modules=lora["targets"], lora_dropout=0.05))
    return model, d


def batches(setup, vocab, device, steps, seed):
    """Random tokens: every sample exactly sequenceLength (packed), or lengths drawn per sample and padded to the
    batch's longest (padded: the shapes change from step to step, as with every collator's default)."""
    import torch

    rng = random.Random(seed)
    mbs, seq = setup["microBatchSize"], setup["sequenceLength"]
    for _ in range(steps):
        lengths = [seq] * mbs if setup.get("packed", False) else [rng.randint(seq // 2, seq) for _ in range(mbs)]
        width = max(lengths)
        ids = torch.randint(3, vocab, (mbs, width), device=device)
        mask = torch.zeros((mbs, width), dtype=torch.long, device=device)
        for i, n in enumerate(lengths):
            mask[i, :n] = 1
        labels = ids.masked_fill(mask == 0, -100)
        yield ids.masked_fill(mask == 0, 0), mask, labels


def run_one(run, device, steps, dry_run):
    import torch

    setup = run["setup"]
    cuda = device == "cuda"
    model, dims = build_model(setup, device, dry_run)
    params = [p for p in model.parameters() if p.requires_grad]
    kind = {"adamw": {"foreach": True}, "adamw-fused": {"fused": True} if cuda else {"foreach": False}}[setup["optimizer"]]
    optimizer = torch.optim.AdamW(params, lr=1e-5, **kind)
    used = 0
    if cuda:
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    start = time.time()
    loss = None
    for ids, mask, labels in batches(setup, dims["vocabSize"], device, steps, seed=sum(map(ord, run["id"]))):
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=cuda):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        if cuda:
            free, total = torch.cuda.mem_get_info()
            used = max(used, total - free)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if cuda:
            free, total = torch.cuda.mem_get_info()
            used = max(used, total - free)
    if setup.get("evalMicroBatchSize"):
        # Evaluation between steps, as HF Trainer's prediction_step runs it: eval mode, no autograd, the loss computed
        # from the eval batch's whole logits (docs/vram.md 4.9).
        model.eval()
        eval_setup = dict(setup, microBatchSize=setup["evalMicroBatchSize"])
        with torch.no_grad():
            for ids, mask, labels in batches(eval_setup, dims["vocabSize"], device, 2, seed=sum(map(ord, run["id"])) + 1):
                with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=cuda):
                    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
                if cuda:
                    free, total = torch.cuda.mem_get_info()
                    used = max(used, total - free)
        model.train()
    result = {"loss": float(loss.item()) if loss is not None else math.nan, "seconds": round(time.time() - start, 2)}
    if cuda:
        result.update(alloc=torch.cuda.max_memory_allocated(), resv=torch.cuda.max_memory_reserved(), smi=used)
    else:  # a dry run writes rows of the same shape, marked, with nothing measured
        result.update(alloc=0, resv=0, smi=0)
    del model, optimizer, params
    return result


def rows_for(run, result, gpu, versions, oom):
    base = {
        "group": "GPU",
        "source": f"test/gpu/measure.py @ {versions['commit']} (issue 13): {run['id']}, {run['purpose']}",
        "confidence": "A",
        "setup": {**run["setup"], "model": run["setup"]["model"]["name"]},
        "gpu": gpu,
        "unit": "MiB",
        "perGpu": True,
        "modelDims": {k: v for k, v in run["setup"]["model"].items() if k != "name"},
        "note": (f"random weights, random tokens; {versions['torch']} (CUDA {versions['cuda']}), transformers {versions['transformers']}, "
                 f"peft {versions['peft']}; {versions['device']}; a plain loop like HF Trainer with gradient accumulation 1 "
                 f"(bf16 autocast, zero_grad(set_to_none=True)); non-reentrant checkpointing; smi = total - free (mem_get_info)"
                 f"{'; then 2 evaluation batches under no_grad' if run['setup'].get('evalMicroBatchSize') else ''}."),
    }
    if oom:
        return [{**base, "id": f"{run['id']}-smi", "metric": "smi", "measured": None, "oom": True}]
    mib = lambda b: round(b / 2**20)  # noqa: E731
    return [{**base, "id": f"{run['id']}-{m}", "metric": m, "measured": mib(result[m]), "oom": False} for m in ("alloc", "resv", "smi")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("setups")
    ap.add_argument("--out", help="JSONL file for the rows (default: stdout)")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--deadline", type=float, default=540, help="stop starting new runs after this many seconds")
    ap.add_argument("--only", help="comma-separated run ids")
    ap.add_argument("--dry-run", action="store_true", help="CPU, tiny dimensions, 1 step: check the code path only")
    args = ap.parse_args()

    import peft
    import torch
    import transformers

    runs = json.load(open(args.setups))
    if args.only:
        keep = set(args.only.split(","))
        runs = [r for r in runs if r["id"] in keep]
    cuda = torch.cuda.is_available() and not args.dry_run
    if not cuda and not args.dry_run:
        sys.exit("measure.py: no CUDA device here (use --dry-run to check the code path on the CPU)")
    device = "cuda" if cuda else "cpu"
    versions = {"torch": f"torch {torch.__version__}", "cuda": torch.version.cuda, "transformers": transformers.__version__, "peft": peft.__version__, "commit": git_commit(),
                "device": torch.cuda.get_device_name() if cuda else "cpu"}
    gpu = catalog_gpu(versions["device"]) if cuda else "cpu"
    out = open(args.out, "a") if args.out else sys.stdout
    t0 = time.time()
    for run in runs:
        if time.time() - t0 > args.deadline:
            print(f"deadline reached: {run['id']} and later runs not measured", file=sys.stderr, flush=True)
            break
        oom = False
        try:
            result = run_one(run, device, 1 if args.dry_run else args.steps, args.dry_run)
        except torch.cuda.OutOfMemoryError:
            oom, result = True, {}
        finally:
            gc.collect()
            if cuda:
                torch.cuda.empty_cache()
        summary = "OOM" if oom else (f"alloc {result['alloc'] / 2**30:.2f} GiB, resv {result['resv'] / 2**30:.2f} GiB, smi {result['smi'] / 2**30:.2f} GiB" if cuda else f"loss {result['loss']:.3f}")
        print(f"{run['id']} {run['purpose']}: {summary} ({result.get('seconds', 0)} s)", file=sys.stderr, flush=True)
        if not cuda and not math.isfinite(result["loss"]):
            sys.exit(f"{run['id']}: the loss is not finite")
        for row in rows_for(run, result, gpu, versions, oom):
            if not cuda:
                row.update(id=f"dry-{row['id']}", group="DRYRUN", note="dry run on the CPU: nothing measured")
            out.write(json.dumps(row) + "\n")
        out.flush()
    print(f"done in {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
