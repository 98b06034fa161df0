// What the trainer needs from a model family (baseline now, BERT next): how to encode a text,
// how to pack a batch, and the graph pieces (inputs, loss, logits, trainable params).
import type * as ort from 'onnxruntime-node'
import type { Tensor } from '../graph'

export interface EncodedText {
  /** Length in model units (tokens, n-gram ids) before padding. */
  length: number
}

export interface ClassifierGraph {
  /** Batch inputs fed by `feeds` (ids, masks …), in emit order. */
  batchInputs: Tensor[]
  /** int64 [batch] labels. */
  labels: Tensor
  /** int64 scalar dropout seed (training only). */
  dropoutSeed: Tensor
  /** float32 [classes] class weights of the loss. */
  classWeights: Tensor
  loss: Tensor
  /** Training logits (with dropout). */
  logits: Tensor
  /** Inference probabilities (no dropout), [batch, classes]. */
  evalProbs: Tensor
  evalLogits: Tensor
  trainable: Tensor[]
  /** Per trainable param: whether AdamW applies weight decay to it. */
  decayMask: boolean[]
}

export interface ClassifierAdapter<E extends EncodedText = EncodedText> {
  kind: 'baseline' | 'bert'
  /** Human-readable base model name recorded in the run. */
  baseModel: string
  numClasses: number
  maxLength: number
  lengthMultiple: number
  graph: ClassifierGraph
  encode(text: string): E
  /** Batch-input tensors for items padded to `length`, keyed by input name. */
  feeds(items: E[], length: number): Record<string, ort.Tensor>
  /** JSON that, with the weights, recreates this encoder and model (stored with the run). */
  describe(): Record<string, unknown>
}
