/**
 * The dimensions of a model that decide its training memory. Names follow DESIGN §6.2 (TrainingSetup `model`
 * as an object); they map one to one onto Hugging Face `config.json` keys (see `fromHfConfig` in models.ts).
 */
export interface ModelDims {
  /** Total parameter count, embeddings included (tied embeddings counted once). */
  parameters: number;
  hiddenSize: number;
  /** Transformer blocks; for encoder-decoder models, encoder + decoder blocks. */
  layers: number;
  attentionHeads: number;
  /** Key/value heads (grouped-query attention); equals attentionHeads for multi-head attention. */
  kvHeads: number;
  headDim: number;
  /** MLP width (per expert for mixture-of-experts models). */
  intermediateSize: number;
  vocabSize: number;
  tiedEmbeddings: boolean;
  /** "gated": SwiGLU/GeGLU (gate, up, down); "plain": two linears with an activation (GPT-2, BERT, Falcon). */
  mlp: 'gated' | 'plain';
  /** Mixture of experts: experts per layer and experts used per token. Absent for dense models. */
  experts?: number;
  expertsPerToken?: number;
  /** Model has dropout in training (BERT, T5, GPT-2): saves masks and dropout outputs. Default false. */
  dropout?: boolean;
  /** Architecture family, for the head: "decoder" has an LM head over the vocabulary; "encoder" is used with a
   *  small task head (classification), so no vocabulary-wide logits. Default "decoder". */
  architecture?: 'decoder' | 'encoder' | 'encoder-decoder';
}

export interface CatalogModel {
  /** Hugging Face id, e.g. "meta-llama/Llama-2-7b-hf". */
  id: string;
  /** Other ids with the same dimensions (instruct/chat variants, mirrors such as NousResearch/…, unsloth/…). */
  aliases?: string[];
  dims: ModelDims;
  /** Where the numbers come from (a config.json URL or the research notes section). */
  source: string;
}
