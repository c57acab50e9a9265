/**
 * Built-in model catalog: the dimensions that decide training memory for common Hugging Face models.
 *
 * Sources, per entry in `source`:
 *  - "vram-model.md §3.1 / §3.2": the research notes (shared/research/vram-model.md), totals computed there and
 *    checked against the published counts;
 *  - "measurements-dev.jsonl modelDims": the dims the measurement corpus was recorded with;
 *  - a config.json URL: dims read from that config (usually through litgpt's litgpt/config.py, which mirrors the HF
 *    configs line by line). Where the source says "parameters computed", the total was computed from the dims with
 *    the architecture's exact layout (embeddings, q/k/v/o with head_dim and biases where present, MLP or experts +
 *    router, norms); every such total agrees with the model's published (rounded) size.
 *
 * `aliases` are ids with the same dimensions: instruct/chat variants, mirrors (NousResearch/…, unsloth/…),
 * pre-quantized copies (GPTQ/AWQ/bnb), and fine-tunes that keep the base model's shapes.
 */
import type { CatalogModel } from './modelTypes';

export const MODEL_CATALOG: CatalogModel[] = [
  // ---- Meta Llama 2 (§3.1) ----
  {
    id: 'meta-llama/Llama-2-7b-hf',
    aliases: [
      'meta-llama/Llama-2-7b-chat-hf', 'NousResearch/Llama-2-7b-hf', 'NousResearch/Llama-2-7b-chat-hf',
      'TheBloke/Llama-2-7B-fp16', 'unsloth/llama-2-7b', 'unsloth/llama-2-7b-chat',
    ],
    dims: {
      parameters: 6_738_415_616, hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 32, headDim: 128,
      intermediateSize: 11008, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'meta-llama/Llama-2-13b-hf',
    aliases: ['meta-llama/Llama-2-13b-chat-hf', 'NousResearch/Llama-2-13b-hf', 'NousResearch/Llama-2-13b-chat-hf'],
    dims: {
      parameters: 13_015_864_320, hiddenSize: 5120, layers: 40, attentionHeads: 40, kvHeads: 40, headDim: 128,
      intermediateSize: 13824, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'meta-llama/Llama-2-70b-hf',
    aliases: ['meta-llama/Llama-2-70b-chat-hf', 'NousResearch/Llama-2-70b-hf', 'NousResearch/Llama-2-70b-chat-hf'],
    dims: {
      parameters: 68_976_648_192, hiddenSize: 8192, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128,
      intermediateSize: 28672, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // ---- Meta Llama 3.x (§3.1) ----
  // Llama 3 and 3.1 8B share all dims (3.1 only changes rope scaling / max_position). The GPTQ/AWQ/AQLM ids are
  // pre-quantized copies of Meta-Llama-3-8B-Instruct: same dims, weights stored in fewer bits.
  {
    id: 'meta-llama/Meta-Llama-3-8B',
    aliases: [
      'meta-llama/Meta-Llama-3-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-8B-Instruct',
      'meta-llama/Meta-Llama-3.1-8B', 'meta-llama/Meta-Llama-3.1-8B-Instruct', 'NousResearch/Meta-Llama-3-8B',
      'NousResearch/Meta-Llama-3-8B-Instruct', 'NousResearch/Meta-Llama-3.1-8B',
      'NousResearch/Meta-Llama-3.1-8B-Instruct', 'unsloth/llama-3-8b', 'unsloth/llama-3-8b-Instruct',
      'unsloth/Meta-Llama-3.1-8B', 'unsloth/Meta-Llama-3.1-8B-Instruct', 'unsloth/Llama-3.1-8B',
      'unsloth/Llama-3.1-8B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
      'TechxGenus/Meta-Llama-3-8B-Instruct-GPTQ', 'TechxGenus/Meta-Llama-3-8B-Instruct-AWQ',
      'ISTA-DASLab/Meta-Llama-3-8B-Instruct-AQLM-2Bit-1x16',
    ],
    dims: {
      parameters: 8_030_261_248, hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 14336, vocabSize: 128256, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // Llama-3.3-70B-Instruct and DeepSeek-R1-Distill-Llama-70B have the same dims (litgpt config.py).
  {
    id: 'meta-llama/Meta-Llama-3-70B',
    aliases: [
      'meta-llama/Meta-Llama-3-70B-Instruct', 'meta-llama/Llama-3.1-70B', 'meta-llama/Llama-3.1-70B-Instruct',
      'meta-llama/Meta-Llama-3.1-70B', 'meta-llama/Meta-Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.3-70B-Instruct',
      'NousResearch/Meta-Llama-3-70B', 'NousResearch/Meta-Llama-3-70B-Instruct', 'NousResearch/Meta-Llama-3.1-70B',
      'NousResearch/Meta-Llama-3.1-70B-Instruct', 'unsloth/Meta-Llama-3.1-70B', 'unsloth/Meta-Llama-3.1-70B-Instruct',
      'unsloth/Llama-3.3-70B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B',
    ],
    dims: {
      parameters: 70_553_706_496, hiddenSize: 8192, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128,
      intermediateSize: 28672, vocabSize: 128256, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // hugging-quants/…-BNB-NF4-BF16 is a pre-quantized (bitsandbytes NF4) copy: same dims.
  {
    id: 'meta-llama/Llama-3.1-405B',
    aliases: [
      'meta-llama/Llama-3.1-405B-Instruct', 'meta-llama/Meta-Llama-3.1-405B', 'meta-llama/Meta-Llama-3.1-405B-Instruct',
      'hugging-quants/Meta-Llama-3.1-405B-BNB-NF4-BF16', 'unsloth/Meta-Llama-3.1-405B-Instruct',
    ],
    dims: {
      parameters: 405_853_388_800, hiddenSize: 16384, layers: 126, attentionHeads: 128, kvHeads: 8, headDim: 128,
      intermediateSize: 53248, vocabSize: 128256, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'meta-llama/Llama-3.2-1B',
    aliases: [
      'meta-llama/Llama-3.2-1B-Instruct', 'NousResearch/Llama-3.2-1B', 'unsloth/Llama-3.2-1B',
      'unsloth/Llama-3.2-1B-Instruct',
    ],
    dims: {
      parameters: 1_235_814_400, hiddenSize: 2048, layers: 16, attentionHeads: 32, kvHeads: 8, headDim: 64,
      intermediateSize: 8192, vocabSize: 128256, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'meta-llama/Llama-3.2-3B',
    aliases: [
      'meta-llama/Llama-3.2-3B-Instruct', 'NousResearch/Llama-3.2-3B', 'unsloth/Llama-3.2-3B',
      'unsloth/Llama-3.2-3B-Instruct',
    ],
    dims: {
      parameters: 3_212_749_824, hiddenSize: 3072, layers: 28, attentionHeads: 24, kvHeads: 8, headDim: 128,
      intermediateSize: 8192, vocabSize: 128256, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // ---- Meta Llama 4 (MoE + shared expert; text dims) ----
  // Every layer is MoE: 16 routed experts (top-1) plus 1 always-on shared expert of the same width (8192); the shared
  // expert is counted in `parameters` but cannot be expressed in ModelDims. Published total 109B includes the vision
  // encoder (~0.9B), which `parameters` leaves out. The axolotl-quants id is a linearized (experts unfused),
  // NF4-quantized copy.
  {
    id: 'meta-llama/Llama-4-Scout-17B-16E',
    aliases: [
      'meta-llama/Llama-4-Scout-17B-16E-Instruct', 'unsloth/Llama-4-Scout-17B-16E-Instruct',
      'axolotl-quants/Llama-4-Scout-17B-16E-Linearized-bnb-nf4-bf16',
    ],
    dims: {
      parameters: 107_769_861_120, hiddenSize: 5120, layers: 48, attentionHeads: 40, kvHeads: 8, headDim: 128,
      intermediateSize: 8192, vocabSize: 202048, tiedEmbeddings: false, mlp: 'gated', experts: 16, expertsPerToken: 1,
    },
    source: 'https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E/blob/main/config.json (text_config); parameters computed, text model only',
  },
  // ---- Mistral AI ----
  // Zephyr / alignment-handbook SFT models are full fine-tunes of Mistral-7B-v0.1 (same dims). OpenHermes-2.5 may add
  // ChatML special tokens to the vocabulary; two extra rows change the count by < 0.001 %.
  {
    id: 'mistralai/Mistral-7B-v0.1',
    aliases: [
      'mistralai/Mistral-7B-Instruct-v0.1', 'mistralai/Mistral-7B-Instruct-v0.2', 'unsloth/mistral-7b',
      'unsloth/mistral-7b-v0.2', 'unsloth/mistral-7b-instruct-v0.2', 'HuggingFaceH4/zephyr-7b-beta',
      'HuggingFaceH4/zephyr-7b-alpha', 'HuggingFaceH4/mistral-7b-sft-beta', 'alignment-handbook/zephyr-7b-sft-full',
      'alignment-handbook/mistral-7b-sft-constitutional-ai', 'teknium/OpenHermes-2.5-Mistral-7B',
    ],
    dims: {
      parameters: 7_241_732_096, hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 14336, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'mistralai/Mistral-7B-v0.3',
    aliases: ['mistralai/Mistral-7B-Instruct-v0.3', 'unsloth/mistral-7b-v0.3', 'unsloth/mistral-7b-instruct-v0.3'],
    dims: {
      parameters: 7_248_023_552, hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 14336, vocabSize: 32768, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/mistralai/Mistral-7B-v0.3/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'mistralai/Mixtral-8x7B-v0.1',
    aliases: ['mistralai/Mixtral-8x7B-Instruct-v0.1'],
    dims: {
      parameters: 46_702_792_704, hiddenSize: 4096, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 14336, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated', experts: 8, expertsPerToken: 2,
    },
    source: 'vram-model.md §3.1',
  },
  // Published total 141B. The mistral-community base conversion may list vocab 32000 instead of 32768 (< 0.01 %
  // difference).
  {
    id: 'mistralai/Mixtral-8x22B-v0.1',
    aliases: ['mistralai/Mixtral-8x22B-Instruct-v0.1', 'mistral-community/Mixtral-8x22B-v0.1'],
    dims: {
      parameters: 140_630_071_296, hiddenSize: 6144, layers: 56, attentionHeads: 48, kvHeads: 8, headDim: 128,
      intermediateSize: 16384, vocabSize: 32768, tiedEmbeddings: false, mlp: 'gated', experts: 8, expertsPerToken: 2,
    },
    source: 'https://huggingface.co/mistralai/Mixtral-8x22B-Instruct-v0.1/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // head_dim is 128 (attention width 4096 < hidden 5120). Devstral-Small and Magistral-Small-2506 are text-only
  // fine-tunes of Mistral Small 3.1 with these dims (Magistral-Small-2509 adds a vision encoder and is not listed).
  {
    id: 'mistralai/Mistral-Small-24B-Base-2501',
    aliases: [
      'mistralai/Mistral-Small-24B-Instruct-2501', 'mistralai/Devstral-Small-2507', 'mistralai/Devstral-Small-2505',
      'mistralai/Magistral-Small-2506',
    ],
    dims: {
      parameters: 23_572_403_200, hiddenSize: 5120, layers: 40, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 32768, vocabSize: 131072, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/mistralai/Mistral-Small-24B-Base-2501/blob/main/config.json (head_dim 128); parameters computed',
  },
  // ---- Qwen2 / Qwen2.5 (q/k/v biases) ----
  // Qwen2-0.5B and Qwen2.5-Coder-0.5B share these dims (litgpt config.py / torchtune qwen2 builders).
  {
    id: 'Qwen/Qwen2.5-0.5B',
    aliases: [
      'Qwen/Qwen2.5-0.5B-Instruct', 'Qwen/Qwen2-0.5B', 'Qwen/Qwen2-0.5B-Instruct', 'Qwen/Qwen2.5-Coder-0.5B',
      'Qwen/Qwen2.5-Coder-0.5B-Instruct', 'unsloth/Qwen2.5-0.5B', 'unsloth/Qwen2.5-0.5B-Instruct',
    ],
    dims: {
      parameters: 494_032_768, hiddenSize: 896, layers: 24, attentionHeads: 14, kvHeads: 2, headDim: 64,
      intermediateSize: 4864, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'Qwen/Qwen2.5-1.5B',
    aliases: [
      'Qwen/Qwen2.5-1.5B-Instruct', 'Qwen/Qwen2-1.5B', 'Qwen/Qwen2-1.5B-Instruct', 'Qwen/Qwen2.5-Coder-1.5B',
      'Qwen/Qwen2.5-Coder-1.5B-Instruct', 'Qwen/Qwen2.5-Math-1.5B', 'Qwen/Qwen2.5-Math-1.5B-Instruct',
      'unsloth/Qwen2.5-1.5B', 'unsloth/Qwen2.5-1.5B-Instruct',
    ],
    dims: {
      parameters: 1_543_714_304, hiddenSize: 1536, layers: 28, attentionHeads: 12, kvHeads: 2, headDim: 128,
      intermediateSize: 8960, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // Qwen2.5-Math-1.5B dims, but the distilled checkpoint stores a separate lm_head (untied): 1.78B parameters.
  {
    id: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
    aliases: ['unsloth/DeepSeek-R1-Distill-Qwen-1.5B'],
    dims: {
      parameters: 1_777_088_000, hiddenSize: 1536, layers: 28, attentionHeads: 12, kvHeads: 2, headDim: 128,
      intermediateSize: 8960, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B/blob/main/config.json (Qwen2.5-Math-1.5B dims, untied); parameters computed',
  },
  {
    id: 'Qwen/Qwen2.5-3B',
    aliases: [
      'Qwen/Qwen2.5-3B-Instruct', 'Qwen/Qwen2.5-Coder-3B', 'Qwen/Qwen2.5-Coder-3B-Instruct', 'unsloth/Qwen2.5-3B',
      'unsloth/Qwen2.5-3B-Instruct',
    ],
    dims: {
      parameters: 3_085_938_688, hiddenSize: 2048, layers: 36, attentionHeads: 16, kvHeads: 2, headDim: 128,
      intermediateSize: 11008, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // Qwen2-7B, Qwen2.5-Coder-7B and Qwen2.5-Math-7B share these dims (litgpt config.py); the open-r1 ids are fine-tunes
  // of Qwen2.5-Math-7B / Qwen2.5-Coder-7B-Instruct that keep its shapes.
  {
    id: 'Qwen/Qwen2.5-7B',
    aliases: [
      'Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2-7B', 'Qwen/Qwen2-7B-Instruct', 'Qwen/Qwen2.5-Coder-7B',
      'Qwen/Qwen2.5-Coder-7B-Instruct', 'Qwen/Qwen2.5-Math-7B', 'Qwen/Qwen2.5-Math-7B-Instruct',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'open-r1/Qwen2.5-Math-7B-RoPE-300k', 'open-r1/R1-Distill-Qwen-Math-7B',
      'open-r1/R1-Distill-Qwen-Math-7B-Merges', 'open-r1/Qwen2.5-Coder-7B-Instruct-Codeforces-GRPO',
      'unsloth/Qwen2.5-7B', 'unsloth/Qwen2.5-7B-Instruct',
    ],
    dims: {
      parameters: 7_615_616_512, hiddenSize: 3584, layers: 28, attentionHeads: 28, kvHeads: 4, headDim: 128,
      intermediateSize: 18944, vocabSize: 152064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'Qwen/Qwen2.5-14B',
    aliases: [
      'Qwen/Qwen2.5-14B-Instruct', 'Qwen/Qwen2.5-Coder-14B', 'Qwen/Qwen2.5-Coder-14B-Instruct',
      'Qwen/Qwen2.5-14B-Instruct-1M', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-14B',
    ],
    dims: {
      parameters: 14_770_033_664, hiddenSize: 5120, layers: 48, attentionHeads: 40, kvHeads: 8, headDim: 128,
      intermediateSize: 13824, vocabSize: 152064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'Qwen/Qwen2.5-32B',
    aliases: [
      'Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-Coder-32B', 'Qwen/Qwen2.5-Coder-32B-Instruct', 'Qwen/QwQ-32B',
      'Qwen/QwQ-32B-Preview', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
    ],
    dims: {
      parameters: 32_763_876_352, hiddenSize: 5120, layers: 64, attentionHeads: 40, kvHeads: 8, headDim: 128,
      intermediateSize: 27648, vocabSize: 152064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'Qwen/Qwen2.5-72B',
    aliases: ['Qwen/Qwen2.5-72B-Instruct', 'Qwen/Qwen2.5-Math-72B', 'Qwen/Qwen2.5-Math-72B-Instruct'],
    dims: {
      parameters: 72_706_203_648, hiddenSize: 8192, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128,
      intermediateSize: 29568, vocabSize: 152064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // ---- Qwen3 (no biases; q/k RMSNorm; head_dim 128) ----
  // Qwen3 ≤ 4B tie the embeddings (model cards: 0.6B total / 0.44B non-embedding etc.); 8B and larger do not.
  {
    id: 'Qwen/Qwen3-0.6B',
    aliases: ['Qwen/Qwen3-0.6B-Base', 'unsloth/Qwen3-0.6B'],
    dims: {
      parameters: 596_049_920, hiddenSize: 1024, layers: 28, attentionHeads: 16, kvHeads: 8, headDim: 128,
      intermediateSize: 3072, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-0.6B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'Qwen/Qwen3-1.7B',
    aliases: ['Qwen/Qwen3-1.7B-Base', 'unsloth/Qwen3-1.7B'],
    dims: {
      parameters: 1_720_574_976, hiddenSize: 2048, layers: 28, attentionHeads: 16, kvHeads: 8, headDim: 128,
      intermediateSize: 6144, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-1.7B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // Qwen3-4B-Instruct-2507 / -Thinking-2507 keep the Qwen3-4B dims (only rope theta and context length change).
  {
    id: 'Qwen/Qwen3-4B',
    aliases: [
      'Qwen/Qwen3-4B-Base', 'Qwen/Qwen3-4B-Instruct-2507', 'Qwen/Qwen3-4B-Thinking-2507', 'unsloth/Qwen3-4B',
      'unsloth/Qwen3-4B-Instruct-2507',
    ],
    dims: {
      parameters: 4_022_468_096, hiddenSize: 2560, layers: 36, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 9728, vocabSize: 151936, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-4B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'Qwen/Qwen3-8B',
    aliases: ['Qwen/Qwen3-8B-Base', 'unsloth/Qwen3-8B'],
    dims: {
      parameters: 8_190_735_360, hiddenSize: 4096, layers: 36, attentionHeads: 32, kvHeads: 8, headDim: 128,
      intermediateSize: 12288, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'Qwen/Qwen3-14B',
    aliases: ['Qwen/Qwen3-14B-Base', 'unsloth/Qwen3-14B'],
    dims: {
      parameters: 14_768_307_200, hiddenSize: 5120, layers: 40, attentionHeads: 40, kvHeads: 8, headDim: 128,
      intermediateSize: 17408, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-14B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // attention width 64×128 = 8192 > hidden 5120.
  {
    id: 'Qwen/Qwen3-32B',
    aliases: ['unsloth/Qwen3-32B'],
    dims: {
      parameters: 32_762_123_264, hiddenSize: 5120, layers: 64, attentionHeads: 64, kvHeads: 8, headDim: 128,
      intermediateSize: 25600, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/Qwen/Qwen3-32B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // MoE: 128 experts of width 768 (moe_intermediate_size), top-8, no shared expert. Published: 30.5B total, 3.3B
  // active.
  {
    id: 'Qwen/Qwen3-30B-A3B',
    aliases: [
      'Qwen/Qwen3-30B-A3B-Base', 'Qwen/Qwen3-30B-A3B-Instruct-2507', 'Qwen/Qwen3-30B-A3B-Thinking-2507',
      'unsloth/Qwen3-30B-A3B',
    ],
    dims: {
      parameters: 30_532_122_624, hiddenSize: 2048, layers: 48, attentionHeads: 32, kvHeads: 4, headDim: 128,
      intermediateSize: 768, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated', experts: 128, expertsPerToken: 8,
    },
    source: 'https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // MoE: 128 experts of width 1536, top-8. Published: 235B total, 22B active.
  {
    id: 'Qwen/Qwen3-235B-A22B',
    aliases: ['Qwen/Qwen3-235B-A22B-Instruct-2507', 'Qwen/Qwen3-235B-A22B-Thinking-2507'],
    dims: {
      parameters: 235_093_634_560, hiddenSize: 4096, layers: 94, attentionHeads: 64, kvHeads: 4, headDim: 128,
      intermediateSize: 1536, vocabSize: 151936, tiedEmbeddings: false, mlp: 'gated', experts: 128, expertsPerToken: 8,
    },
    source: 'https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // ---- Google Gemma (tied embeddings; GeGLU) ----
  {
    id: 'google/gemma-2b',
    aliases: ['google/gemma-2b-it', 'unsloth/gemma-2b', 'unsloth/gemma-2b-it'],
    dims: {
      parameters: 2_506_172_416, hiddenSize: 2048, layers: 18, attentionHeads: 8, kvHeads: 1, headDim: 256,
      intermediateSize: 16384, vocabSize: 256000, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-2b/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // attention width 16×256 = 4096 > hidden 3072.
  {
    id: 'google/gemma-7b',
    aliases: ['google/gemma-7b-it', 'google/codegemma-7b-it', 'unsloth/gemma-7b', 'unsloth/gemma-7b-it'],
    dims: {
      parameters: 8_537_680_896, hiddenSize: 3072, layers: 28, attentionHeads: 16, kvHeads: 16, headDim: 256,
      intermediateSize: 24576, vocabSize: 256000, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-7b/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'google/gemma-2-2b',
    aliases: ['google/gemma-2-2b-it', 'unsloth/gemma-2-2b', 'unsloth/gemma-2-2b-it'],
    dims: {
      parameters: 2_614_341_888, hiddenSize: 2304, layers: 26, attentionHeads: 8, kvHeads: 4, headDim: 256,
      intermediateSize: 9216, vocabSize: 256000, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'google/gemma-2-9b',
    aliases: ['google/gemma-2-9b-it', 'unsloth/gemma-2-9b', 'unsloth/gemma-2-9b-it'],
    dims: {
      parameters: 9_241_705_984, hiddenSize: 3584, layers: 42, attentionHeads: 16, kvHeads: 8, headDim: 256,
      intermediateSize: 14336, vocabSize: 256000, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'google/gemma-2-27b',
    aliases: ['google/gemma-2-27b-it', 'unsloth/gemma-2-27b', 'unsloth/gemma-2-27b-it'],
    dims: {
      parameters: 27_227_128_320, hiddenSize: 4608, layers: 46, attentionHeads: 32, kvHeads: 16, headDim: 128,
      intermediateSize: 36864, vocabSize: 256000, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  // ---- Google Gemma 3 (tied; 4 norms + q/k norm per layer; 4B+ carry a SigLIP vision tower) ----
  {
    id: 'google/gemma-3-1b-it',
    aliases: ['google/gemma-3-1b-pt', 'unsloth/gemma-3-1b-it'],
    dims: {
      parameters: 999_885_952, hiddenSize: 1152, layers: 26, attentionHeads: 4, kvHeads: 1, headDim: 256,
      intermediateSize: 6912, vocabSize: 262144, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-3-1b-it/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'google/gemma-3-4b-it',
    aliases: ['google/gemma-3-4b-pt', 'unsloth/gemma-3-4b-it'],
    dims: {
      parameters: 4_300_079_472, hiddenSize: 2560, layers: 34, attentionHeads: 8, kvHeads: 4, headDim: 256,
      intermediateSize: 10240, vocabSize: 262208, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-3-4b-it/blob/main/config.json (text_config, dims via litgpt config.py; vocab 262208); parameters computed incl. vision tower',
  },
  {
    id: 'google/gemma-3-12b-it',
    aliases: ['google/gemma-3-12b-pt', 'unsloth/gemma-3-12b-it'],
    dims: {
      parameters: 12_187_325_040, hiddenSize: 3840, layers: 48, attentionHeads: 16, kvHeads: 8, headDim: 256,
      intermediateSize: 15360, vocabSize: 262208, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-3-12b-it/blob/main/config.json (text_config, dims via litgpt config.py; vocab 262208); parameters computed incl. vision tower',
  },
  {
    id: 'google/gemma-3-27b-it',
    aliases: ['google/gemma-3-27b-pt', 'unsloth/gemma-3-27b-it'],
    dims: {
      parameters: 27_432_406_640, hiddenSize: 5376, layers: 62, attentionHeads: 32, kvHeads: 16, headDim: 128,
      intermediateSize: 21504, vocabSize: 262208, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/google/gemma-3-27b-it/blob/main/config.json (text_config, dims via litgpt config.py; vocab 262208); parameters computed incl. vision tower',
  },
  // ---- Microsoft Phi ----
  // Parallel attention+MLP, GELU (plain) MLP, biases, lm_head bias.
  {
    id: 'microsoft/phi-1_5',
    dims: {
      parameters: 1_418_270_720, hiddenSize: 2048, layers: 24, attentionHeads: 32, kvHeads: 32, headDim: 64,
      intermediateSize: 8192, vocabSize: 51200, tiedEmbeddings: false, mlp: 'plain',
    },
    source: 'measurements-dev.jsonl modelDims',
  },
  // Same block as phi-1_5 (parallel, GELU, biases everywhere, lm_head bias); published 2.78B.
  {
    id: 'microsoft/phi-2',
    dims: {
      parameters: 2_779_683_840, hiddenSize: 2560, layers: 32, attentionHeads: 32, kvHeads: 32, headDim: 80,
      intermediateSize: 10240, vocabSize: 51200, tiedEmbeddings: false, mlp: 'plain',
    },
    source: 'https://huggingface.co/microsoft/phi-2/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // Phi-3-mini-128k and Phi-3.5-mini keep the Phi-3-mini dims (litgpt config.py).
  {
    id: 'microsoft/Phi-3-mini-4k-instruct',
    aliases: [
      'microsoft/Phi-3-mini-128k-instruct', 'microsoft/Phi-3.5-mini-instruct', 'unsloth/Phi-3-mini-4k-instruct',
      'unsloth/Phi-3.5-mini-instruct',
    ],
    dims: {
      parameters: 3_821_079_552, hiddenSize: 3072, layers: 32, attentionHeads: 32, kvHeads: 32, headDim: 96,
      intermediateSize: 8192, vocabSize: 32064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'microsoft/Phi-3-medium-4k-instruct',
    aliases: ['microsoft/Phi-3-medium-128k-instruct'],
    dims: {
      parameters: 13_960_238_080, hiddenSize: 5120, layers: 40, attentionHeads: 40, kvHeads: 10, headDim: 128,
      intermediateSize: 17920, vocabSize: 32064, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'microsoft/phi-4',
    aliases: ['unsloth/phi-4', 'microsoft/Phi-4-reasoning', 'microsoft/Phi-4-reasoning-plus'],
    dims: {
      parameters: 14_659_507_200, hiddenSize: 5120, layers: 40, attentionHeads: 40, kvHeads: 10, headDim: 128,
      intermediateSize: 17920, vocabSize: 100352, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/microsoft/phi-4/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // ---- Hugging Face SmolLM (tied) ----
  {
    id: 'HuggingFaceTB/SmolLM2-135M',
    aliases: ['HuggingFaceTB/SmolLM2-135M-Instruct'],
    dims: {
      parameters: 134_515_008, hiddenSize: 576, layers: 30, attentionHeads: 9, kvHeads: 3, headDim: 64,
      intermediateSize: 1536, vocabSize: 49152, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // loubnabnl/smollm2-*-sft are SFT checkpoints of SmolLM2 (same dims).
  {
    id: 'HuggingFaceTB/SmolLM2-360M',
    aliases: ['HuggingFaceTB/SmolLM2-360M-Instruct', 'loubnabnl/smollm2-360M-sft'],
    dims: {
      parameters: 361_821_120, hiddenSize: 960, layers: 32, attentionHeads: 15, kvHeads: 5, headDim: 64,
      intermediateSize: 2560, vocabSize: 49152, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-360M/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-1.7B',
    aliases: ['HuggingFaceTB/SmolLM2-1.7B-Instruct', 'loubnabnl/smollm2-1.7B-sft'],
    dims: {
      parameters: 1_711_376_384, hiddenSize: 2048, layers: 24, attentionHeads: 32, kvHeads: 32, headDim: 64,
      intermediateSize: 8192, vocabSize: 49152, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B/blob/main/config.json (dims via litgpt config.py); parameters computed',
  },
  // Llama-style with NoPE on every 4th layer; tied embeddings (3.08B published).
  {
    id: 'HuggingFaceTB/SmolLM3-3B',
    aliases: ['HuggingFaceTB/SmolLM3-3B-Base', 'HuggingFaceTB/SmolLM3-3B-checkpoints'],
    dims: {
      parameters: 3_075_098_624, hiddenSize: 2048, layers: 36, attentionHeads: 16, kvHeads: 4, headDim: 128,
      intermediateSize: 11008, vocabSize: 128256, tiedEmbeddings: true, mlp: 'gated',
    },
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM3-3B/blob/main/config.json; parameters computed',
  },
  // ---- TinyLlama ----
  {
    id: 'TinyLlama/TinyLlama_v1.1',
    aliases: ['TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T', 'TinyLlama/TinyLlama-1.1B-Chat-v1.0'],
    dims: {
      parameters: 1_100_048_384, hiddenSize: 2048, layers: 22, attentionHeads: 32, kvHeads: 4, headDim: 64,
      intermediateSize: 5632, vocabSize: 32000, tiedEmbeddings: false, mlp: 'gated',
    },
    source: 'https://huggingface.co/TinyLlama/TinyLlama_v1.1/blob/main/config.json (dims via litgpt config.py, tiny-llama-1.1b); parameters computed',
  },
  // ---- OpenAI gpt-oss (MoE; attention biases + sinks; expert biases) ----
  // Published 21B total (20.9B), 3.6B active; experts ship in MXFP4.
  {
    id: 'openai/gpt-oss-20b',
    aliases: ['unsloth/gpt-oss-20b', 'unsloth/gpt-oss-20b-BF16'],
    dims: {
      parameters: 20_914_757_184, hiddenSize: 2880, layers: 24, attentionHeads: 64, kvHeads: 8, headDim: 64,
      intermediateSize: 2880, vocabSize: 201088, tiedEmbeddings: false, mlp: 'gated', experts: 32, expertsPerToken: 4,
    },
    source: 'https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json; parameters computed',
  },
  // Published 117B total (116.8B), 5.1B active. axolotl-ai-co/gpt-oss-120b-dequantized is the same model with bf16
  // experts.
  {
    id: 'openai/gpt-oss-120b',
    aliases: ['axolotl-ai-co/gpt-oss-120b-dequantized', 'unsloth/gpt-oss-120b'],
    dims: {
      parameters: 116_829_156_672, hiddenSize: 2880, layers: 36, attentionHeads: 64, kvHeads: 8, headDim: 64,
      intermediateSize: 2880, vocabSize: 201088, tiedEmbeddings: false, mlp: 'gated', experts: 128, expertsPerToken: 4,
    },
    source: 'https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json; parameters computed',
  },
  // ---- TII Falcon (parallel attention+MLP, GELU, multi-query/grouped KV) ----
  {
    id: 'tiiuae/falcon-7b',
    aliases: ['tiiuae/falcon-7b-instruct'],
    dims: {
      parameters: 6_921_720_704, hiddenSize: 4544, layers: 32, attentionHeads: 71, kvHeads: 1, headDim: 64,
      intermediateSize: 18176, vocabSize: 65024, tiedEmbeddings: true, mlp: 'plain',
    },
    source: 'vram-model.md §3.1',
  },
  {
    id: 'tiiuae/falcon-40b',
    aliases: ['tiiuae/falcon-40b-instruct'],
    dims: {
      parameters: 41_303_293_952, hiddenSize: 8192, layers: 60, attentionHeads: 128, kvHeads: 8, headDim: 64,
      intermediateSize: 32768, vocabSize: 65024, tiedEmbeddings: true, mlp: 'plain',
    },
    source: 'vram-model.md §3.1',
  },
  // ---- Other decoders used in measurements-dev.jsonl ----
  // BLOOM: ALiBi, GELU MLP, biases, embedding LayerNorm; no dropout in the released config.
  {
    id: 'bigscience/bloomz-7b1',
    aliases: ['bigscience/bloom-7b1', 'bigscience/bloomz-7b1-mt'],
    dims: {
      parameters: 7_069_016_064, hiddenSize: 4096, layers: 30, attentionHeads: 32, kvHeads: 32, headDim: 128,
      intermediateSize: 16384, vocabSize: 250880, tiedEmbeddings: true, mlp: 'plain',
    },
    source: 'measurements-dev.jsonl modelDims',
  },
  // GPT-NeoX architecture (parallel residual, GELU MLP with biases).
  {
    id: 'stabilityai/stablelm-base-alpha-3b',
    aliases: ['stabilityai/stablelm-tuned-alpha-3b'],
    dims: {
      parameters: 3_637_321_728, hiddenSize: 4096, layers: 16, attentionHeads: 32, kvHeads: 32, headDim: 128,
      intermediateSize: 16384, vocabSize: 50688, tiedEmbeddings: false, mlp: 'plain',
    },
    source: 'measurements-dev.jsonl modelDims',
  },
  // ---- OpenAI GPT-2 (§3.2; tied, GELU, dropout) ----
  {
    id: 'openai-community/gpt2',
    aliases: ['gpt2'],
    dims: {
      parameters: 124_439_808, hiddenSize: 768, layers: 12, attentionHeads: 12, kvHeads: 12, headDim: 64,
      intermediateSize: 3072, vocabSize: 50257, tiedEmbeddings: true, mlp: 'plain', dropout: true,
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'openai-community/gpt2-medium',
    aliases: ['gpt2-medium'],
    dims: {
      parameters: 354_823_168, hiddenSize: 1024, layers: 24, attentionHeads: 16, kvHeads: 16, headDim: 64,
      intermediateSize: 4096, vocabSize: 50257, tiedEmbeddings: true, mlp: 'plain', dropout: true,
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'openai-community/gpt2-large',
    aliases: ['gpt2-large'],
    dims: {
      parameters: 774_030_080, hiddenSize: 1280, layers: 36, attentionHeads: 20, kvHeads: 20, headDim: 64,
      intermediateSize: 5120, vocabSize: 50257, tiedEmbeddings: true, mlp: 'plain', dropout: true,
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'openai-community/gpt2-xl',
    aliases: ['gpt2-xl'],
    dims: {
      parameters: 1_557_611_200, hiddenSize: 1600, layers: 48, attentionHeads: 25, kvHeads: 25, headDim: 64,
      intermediateSize: 6400, vocabSize: 50257, tiedEmbeddings: true, mlp: 'plain', dropout: true,
    },
    source: 'vram-model.md §3.2',
  },
  // ---- BERT (§3.2; encoder, classification head not counted) ----
  {
    id: 'google-bert/bert-base-uncased',
    aliases: ['bert-base-uncased'],
    dims: {
      parameters: 109_482_240, hiddenSize: 768, layers: 12, attentionHeads: 12, kvHeads: 12, headDim: 64,
      intermediateSize: 3072, vocabSize: 30522, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder',
    },
    source: 'vram-model.md §3.2',
  },
  // BertModel count; the HF1–HF3 measurement rows use 335,143,938 = this + 2,050 for the 2-label classification head.
  {
    id: 'google-bert/bert-large-uncased',
    aliases: ['bert-large-uncased'],
    dims: {
      parameters: 335_141_888, hiddenSize: 1024, layers: 24, attentionHeads: 16, kvHeads: 16, headDim: 64,
      intermediateSize: 4096, vocabSize: 30522, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder',
    },
    source: 'vram-model.md §3.2',
  },
  // ---- T5 family (§3.2; encoder-decoder; layers = encoder + decoder blocks; headDim = d_kv) ----
  // T5 v1.0: ReLU MLP, tied embeddings.
  {
    id: 'google-t5/t5-small',
    aliases: ['t5-small'],
    dims: {
      parameters: 60_506_624, hiddenSize: 512, layers: 12, attentionHeads: 8, kvHeads: 8, headDim: 64,
      intermediateSize: 2048, vocabSize: 32128, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'google-t5/t5-base',
    aliases: ['t5-base'],
    dims: {
      parameters: 222_903_552, hiddenSize: 768, layers: 24, attentionHeads: 12, kvHeads: 12, headDim: 64,
      intermediateSize: 3072, vocabSize: 32128, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'google-t5/t5-large',
    aliases: ['t5-large'],
    dims: {
      parameters: 737_668_096, hiddenSize: 1024, layers: 48, attentionHeads: 16, kvHeads: 16, headDim: 64,
      intermediateSize: 4096, vocabSize: 32128, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  // d_kv 128: attention width 32×128 = 4096 > d_model 1024.
  {
    id: 'google-t5/t5-3b',
    aliases: ['t5-3b'],
    dims: {
      parameters: 2_851_598_336, hiddenSize: 1024, layers: 48, attentionHeads: 32, kvHeads: 32, headDim: 128,
      intermediateSize: 16384, vocabSize: 32128, tiedEmbeddings: true, mlp: 'plain', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  // Flan-T5 = T5 v1.1 architecture: gated-GELU MLP, untied LM head.
  {
    id: 'google/flan-t5-base',
    dims: {
      parameters: 247_577_856, hiddenSize: 768, layers: 24, attentionHeads: 12, kvHeads: 12, headDim: 64,
      intermediateSize: 2048, vocabSize: 32128, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'google/flan-t5-large',
    dims: {
      parameters: 783_150_080, hiddenSize: 1024, layers: 48, attentionHeads: 16, kvHeads: 16, headDim: 64,
      intermediateSize: 2816, vocabSize: 32128, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'google/flan-t5-xl',
    aliases: ['google/t5-v1_1-xl'],
    dims: {
      parameters: 2_849_757_184, hiddenSize: 2048, layers: 48, attentionHeads: 32, kvHeads: 32, headDim: 64,
      intermediateSize: 5120, vocabSize: 32128, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  {
    id: 'google/flan-t5-xxl',
    aliases: ['google/t5-v1_1-xxl'],
    dims: {
      parameters: 11_135_332_352, hiddenSize: 4096, layers: 48, attentionHeads: 64, kvHeads: 64, headDim: 64,
      intermediateSize: 10240, vocabSize: 32128, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  // T5 v1.1 LM-adapted XL; dims and count as in measurements-dev.jsonl (same as Flan-T5-XL).
  {
    id: 'bigscience/T0_3B',
    dims: {
      parameters: 2_849_757_184, hiddenSize: 2048, layers: 48, attentionHeads: 32, kvHeads: 32, headDim: 64,
      intermediateSize: 5120, vocabSize: 32128, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
  // mT5-XXL architecture (250k vocabulary).
  {
    id: 'bigscience/mt0-xxl',
    aliases: ['google/mt5-xxl', 'bigscience/mt0-xxl-mt'],
    dims: {
      parameters: 12_921_057_280, hiddenSize: 4096, layers: 48, attentionHeads: 64, kvHeads: 64, headDim: 64,
      intermediateSize: 10240, vocabSize: 250112, tiedEmbeddings: false, mlp: 'gated', dropout: true,
      architecture: 'encoder-decoder',
    },
    source: 'vram-model.md §3.2',
  },
];

// ---- Self-check notes ----
// Rough estimate V·h·(tied ? 1 : 2) + L·(q/k/v/o + (gated ? 3 : 2)·h·I·experts) against `parameters`: every dense
// decoder entry is within 1 % (norms and biases make up the rest). Entries outside 3 %, all expected:
//  - T5 / Flan-T5 / T0 / mT0 (0.86–0.90): each decoder block also has cross-attention (another q/k/v/o), which the
//    rough formula leaves out; relative position biases and layer norms are small.
//  - google/gemma-3-4b-it (0.90) and gemma-3-12b-it (0.97): `parameters` includes the 0.42B SigLIP vision tower and
//    projector of the multimodal checkpoint (gemma-3-27b-it: 0.98, inside the band for the same reason).
//  - meta-llama/Llama-4-Scout-17B-16E (0.94): the always-on shared expert of every MoE layer (`parameters` counts it,
//    ModelDims cannot express it); `parameters` leaves out the vision encoder.
//
// Not in the catalog (no verified config found, or an architecture ModelDims cannot express) — corpus base models:
//  - no verified config found: Qwen/Qwen3.5-4B, Qwen3.5-9B, Qwen3.5-27B, Qwen3.5-35B-A3B, Qwen3.5-122B-A10B,
//    Qwen3.5-397B-A17B; zai-org/GLM-4.5-Air, GLM-4.7-Flash; THUDM/GLM-4-32B-0414; MiniMaxAI/MiniMax-M2;
//    XiaomiMiMo/MiMo-7B-RL; tencent/Hunyuan-0.5B-Instruct; nvidia/Nemotron-Mini-4B-Instruct;
//    CohereForAI/c4ai-command-r7b-12-2024; HuggingFaceH4/starchat2-15b-sft-v0.1; canopylabs/orpheus-3b-0.1-pretrained;
//    katanemo/Plano-Orchestrator-4B; arcee-ai/AFM-4.5B, Trinity-Nano-Preview; google/gemma-4-12B-it, gemma-4-26B-A4B,
//    gemma-4-31B; mistralai/Ministral-3-3B-Reasoning-2512; axolotl-ai-co/Mistral-Small-4-119B-2603-BF16,
//    Mistral-Medium-3.5-128B-BF16; meta-llama/Llama-4-Maverick-17B-128E-Instruct (torchtune llama4_maverick).
//  - hybrid linear-attention / state-space layers: Qwen/Qwen3-Next-80B-A3B-Instruct, ai21labs/Jamba-v0.1,
//    tiiuae/Falcon-H1-* (0.5B, 1.5B, 1.5B-Deep, 7B, 34B), LiquidAI/LFM2-350M, LFM2-8B-A1B,
//    moonshotai/Kimi-Linear-48B-A3B-Instruct, nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16.
//  - multi-head latent attention (no headDim/kvHeads): deepseek-ai/DeepSeek-V2-Lite, DeepSeek-V3.1,
//    nvidia/DeepSeek-V4-Flash-NVFP4.
//  - vision-language checkpoints without a verified total incl. the vision/audio towers: Qwen/Qwen2-VL-7B-Instruct,
//    Qwen2.5-VL-7B-Instruct, Qwen3-VL-4B-Instruct, Qwen3-VL-30B-A3B-Instruct; llava-hf/llava-1.5-7b-hf;
//    alpindale/Llama-3.2-11B-Vision-Instruct (torchtune llama3_2_vision 11B/90B); HuggingFaceTB/SmolVLM2-2.2B-Instruct;
//    OpenMOSS-Team/MOSS-VL-Instruct-0708; PaddlePaddle/PaddleOCR-VL-1.6; mistral-community/pixtral-12b;
//    mistralai/Magistral-Small-2509; zai-org/GLM-4.6V-Flash; google/gemma-3n-E2B-it.
//  - local paths, not Hub ids: saves/qwen3-4b/full/sft, models/Qwen2.5-7B, /path/to/DeepSeek-V3.1-source,
//    /tmp/RM-Mistral-7B (torchtune reward model).
