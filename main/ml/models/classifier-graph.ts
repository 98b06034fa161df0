// The part every classifier graph shares (baseline and BERT): labels and training-only inputs,
// the train-time and inference heads, and the loss, so the trainer and exporters see one shape.
import type { Graph, Tensor } from '../graph'

export interface ClassifierGraph {
  graph: Graph
  /** Gold class indices, int64 [batch]. */
  labels: Tensor
  /** Training-only inputs: dropout seed (int64 scalar), class weights float32 [classes]. */
  dropoutSeed: Tensor
  classWeights: Tensor
  /** [batch, classes]; with dropout while training. */
  logits: Tensor
  probs: Tensor
  /** Class-weighted mean cross-entropy of `logits` (all-ones weights give the plain mean). */
  loss: Tensor
  /** Inference logits (no dropout). */
  evalLogits: Tensor
  evalProbs: Tensor
}
