"""Writes a tiny BERT classifier and a labelled dataset for the generated training script's CPU run, with no download.

Usage: python tiny_classifier.py DIR  ->  DIR/model (config, random weights, tokenizer), DIR/train.jsonl, DIR/validation.jsonl
The model is 2 layers of width 32 (BertConfig), the tokenizer a word-level vocabulary of the dataset's words.
"""
import json
import random
import sys
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

out = Path(sys.argv[1])
good, bad = ["good", "great", "fine", "lovely"], ["bad", "awful", "poor", "dull"]
words = good + bad + ["movie", "film", "plot", "the", "was", "very"]
vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words])}
tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
tokenizer.post_processor = processors.TemplateProcessing(
    single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
)
PreTrainedTokenizerFast(
    tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
).save_pretrained(out / "model")
config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
BertForSequenceClassification(config).save_pretrained(out / "model")

random.seed(0)
for split, n in (("train", 64), ("validation", 16)):
    with open(out / f"{split}.jsonl", "w", encoding="utf-8") as f:
        for _ in range(n):
            positive = random.random() < 0.5
            text = " ".join(["the", random.choice(["movie", "film", "plot"]), "was", "very", random.choice(good if positive else bad)])
            f.write(json.dumps({"text": text, "label": "positive" if positive else "negative"}) + "\n")
