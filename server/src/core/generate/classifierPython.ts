/**
 * The training script of `--format script` (issue #11): a sequence classifier (AutoModelForSequenceClassification),
 * trained in full, with its last layers only, or with PEFT (LoRA, QLoRA, prefix tuning; task_type SEQ_CLS) by the
 * Hugging Face Trainer. Every value comes from the YAML next to it (classifierScript.ts), so the script is the same
 * for every method; its header says what it was generated for. Written for transformers >= 4.56 (`dtype`,
 * `processing_class`) and PEFT >= 0.13 ("all-linear"); test/runtime/classifier.test.ts runs it on the CPU.
 */

/** x.yaml ↔ x.py: the script reads the YAML with its own name. */
export function scriptPathFor(configPath: string): string {
  return configPath.replace(/\.(ya?ml|json)$/i, '') + '.py';
}

export function configPathFor(scriptPath: string): string {
  return scriptPath.replace(/\.py$/i, '') + '.yaml';
}

export interface ScriptHeader {
  /** What it was generated for, one line each ("method: LoRA adapters", "VRAM: ≈ 5.3 GiB of 15.0 GiB ..."). */
  lines: string[];
  /** The YAML's file name (next to the script). */
  config: string;
  /** The script's file name, for the usage lines. */
  script: string;
  quantized: boolean;
}

export function classifierPython(h: ScriptHeader): string {
  const needs = `pip install "transformers>=4.56" "peft>=0.13" datasets accelerate pyyaml${h.quantized ? ' bitsandbytes' : ''}`;
  const header = [
    '#!/usr/bin/env python3',
    ...h.lines.map((l) => `# ${l}`.trimEnd()),
    `# Hyperparameters: ${h.config}, next to this file (each value the estimator chose says why there).`,
    `# Train: python ${h.script}   or: python ${h.script} other.yaml max_steps=20 output_dir=./smoke   (key=value overrides)`,
    `# Needs: ${needs}`,
  ];
  return `${header.join('\n')}\n${BODY}`;
}

const BODY = String.raw`"""Fine-tunes a sequence classifier: a pretrained model with a classification head, trained in full, with its last
layers only, or with PEFT adapters, by the Hugging Face Trainer. The keys in SCRIPT_KEYS are read here; every other
key of the YAML is a TrainingArguments field.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import yaml
from datasets import ClassLabel, load_dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

SCRIPT_KEYS = {
    "model_name_or_path", "dtype", "attn_implementation",
    "use_peft", "peft_type", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "num_virtual_tokens",
    "load_in_4bit", "bnb_4bit_quant_type", "use_bnb_nested_quant", "freeze_trainable_layers",
    "dataset_name", "dataset_config_name", "train_file", "validation_file", "train_split", "validation_split",
    "text_column", "text_pair_column", "label_column", "max_seq_length",
}


def read_config(argv):
    """The YAML (the first argument, else the .yaml next to this script), then key=value overrides."""
    args = list(argv)
    path = Path(args.pop(0)) if args and "=" not in args[0] else Path(__file__).with_suffix(".yaml")
    with open(path, encoding="utf-8") as f:
        config = yaml.safe_load(f) or {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            sys.exit(f"expected key=value after the config, got {arg!r}")
        # YAML 1.1 reads no/yes/on/off as booleans; here they stay words (eval_strategy=no), true/false are booleans.
        config[key] = value if value.lower() in ("no", "yes", "on", "off", "y", "n") else yaml.safe_load(value)
    return config


def load_splits(cfg):
    """The train and validation splits: local files (train_file, validation_file) or a Hugging Face dataset."""
    if cfg.get("train_file"):
        files = {"train": cfg["train_file"]}
        if cfg.get("validation_file"):
            files["validation"] = cfg["validation_file"]
        data = load_dataset("csv" if str(cfg["train_file"]).endswith(".csv") else "json", data_files=files)
        return data["train"], data.get("validation")
    data = load_dataset(cfg["dataset_name"], cfg.get("dataset_config_name"))
    split = cfg.get("validation_split")
    return data[cfg.get("train_split", "train")], data[split] if split else None


def label_names(train, column):
    """The class names, and how to turn a label value into a class id when the dataset does not say."""
    feature = train.features[column]
    if isinstance(feature, ClassLabel):
        return list(feature.names), None
    values = sorted(set(train[column]), key=str)
    return [str(v) for v in values], {v: i for i, v in enumerate(values)}


def freeze_all_but_last_layers(model, n):
    """Trains the last n transformer layers, the pooler and the classification head; every other weight is frozen."""
    layers = max((m for m in model.modules() if isinstance(m, torch.nn.ModuleList)), key=len)
    trainable = {id(p) for layer in list(layers)[-n:] for p in layer.parameters()}
    prefix = model.base_model_prefix + "."
    for name, p in model.named_parameters():
        p.requires_grad = id(p) in trainable or not name.startswith(prefix) or ".pooler." in name


def load_model(cfg, names, half):
    kwargs = {"num_labels": len(names), "id2label": dict(enumerate(names)), "label2id": {n: i for i, n in enumerate(names)}}
    if cfg.get("dtype") not in (None, "auto"):
        kwargs["dtype"] = getattr(torch, cfg["dtype"])
    if cfg.get("attn_implementation"):
        kwargs["attn_implementation"] = cfg["attn_implementation"]
    if cfg.get("load_in_4bit"):
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=cfg.get("bnb_4bit_quant_type", "nf4"),
            bnb_4bit_use_double_quant=bool(cfg.get("use_bnb_nested_quant", True)),
            bnb_4bit_compute_dtype=half,
        )
    model = AutoModelForSequenceClassification.from_pretrained(cfg["model_name_or_path"], **kwargs)
    if cfg.get("use_peft"):
        from peft import LoraConfig, PrefixTuningConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

        if cfg.get("load_in_4bit"):
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=bool(cfg.get("gradient_checkpointing")))
        if str(cfg.get("peft_type", "LORA")).upper() == "PREFIX_TUNING":
            peft_config = PrefixTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=int(cfg["num_virtual_tokens"]))
        else:
            peft_config = LoraConfig(
                task_type=TaskType.SEQ_CLS,  # the classification head trains in full and is saved with the adapter
                r=int(cfg.get("lora_r", 16)),
                lora_alpha=cfg.get("lora_alpha", 32),
                lora_dropout=cfg.get("lora_dropout", 0.1),
                target_modules=cfg.get("lora_target_modules", "all-linear"),
            )
        model = get_peft_model(model, peft_config)
        model.print_trainable_parameters()
    elif cfg.get("freeze_trainable_layers"):
        freeze_all_but_last_layers(model, int(cfg["freeze_trainable_layers"]))
    return model


def accuracy(prediction):
    logits = prediction.predictions[0] if isinstance(prediction.predictions, tuple) else prediction.predictions
    return {"accuracy": float((np.argmax(logits, axis=-1) == prediction.label_ids).mean())}


def main(argv):
    cfg = read_config(argv)
    training = {k: v for k, v in cfg.items() if k not in SCRIPT_KEYS}
    train, validation = load_splits(cfg)
    if validation is None:
        training.update(eval_strategy="no", do_eval=False)
    args = TrainingArguments(**training)
    set_seed(args.seed)

    text, pair, label = cfg.get("text_column", "text"), cfg.get("text_pair_column"), cfg.get("label_column", "label")
    names, to_id = label_names(train, label)
    tokenizer = AutoTokenizer.from_pretrained(cfg["model_name_or_path"])
    model = load_model(cfg, names, torch.bfloat16 if args.bf16 else torch.float16)
    if tokenizer.pad_token is None:  # decoder-only models: the classifier reads the last token that is not padding
        tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.pad_token_id

    def encode(batch):
        inputs = (batch[text], batch[pair]) if pair else (batch[text],)
        encoded = tokenizer(*inputs, truncation=True, max_length=int(cfg.get("max_seq_length", 512)))
        encoded["labels"] = [to_id[v] for v in batch[label]] if to_id else batch[label]
        return encoded

    train = train.map(encode, batched=True, remove_columns=train.column_names)
    if validation is not None:
        validation = validation.map(encode, batched=True, remove_columns=validation.column_names)

    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=validation,
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=accuracy,
    )
    trainer.train()
    trainer.save_model()  # with PEFT: the adapter and the classification head (adapter_model.safetensors)
    trainer.save_state()  # trainer_state.json: the loss at every logging step
    if validation is not None:
        metrics = trainer.evaluate()
        trainer.log_metrics("eval", metrics)
        trainer.save_metrics("eval", metrics)


if __name__ == "__main__":
    main(sys.argv[1:])
`;
