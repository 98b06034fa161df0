// BERT-family sequence classifiers in the graph IR (BertForSequenceClassification's [CLS]/pooler
// head, or sentence-transformers' mean pooling + linear), loaded directly from Hugging Face weights
// of a bert, roberta, xlm-roberta, distilbert or electra encoder (bert-family.ts says how each
// names and wires its weights).
//
// How to use (mirrors buildBaselineClassifier, so the trainer treats both alike):
//
//   const config = parseBertConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')))
//   const { tensors } = await readSafetensorsFile(join(dir, 'model.safetensors'))
//   const m = buildBertClassifier(config, tensors, { numLabels: 2, head: 'mean', training: true })
//   // batch inputs, int64 [batch, seq]:   m.inputIds 'input_ids', m.attentionMask 'attention_mask',
//   //                                       m.tokenTypeIds 'token_type_ids' (null for DistilBERT,
//   //                                       which has no token types: batchInputs then has two)
//   // training-only inputs:                m.labels 'labels' int64 [batch],
//   //                                       m.dropoutSeed 'dropout_seed' int64 scalar,
//   //                                       m.classWeights 'class_weights' float32 [numLabels]
//   // m.logits/m.loss: with dropout when training (identical to evalLogits when not);
//   // m.evalLogits/m.evalProbs: never dropout (inference and dev evaluation).
//   const { model, io } = buildTrainStep({ inputs: [...m.batchInputs, m.labels, m.dropoutSeed,
//     m.classWeights], loss: m.loss, logits: m.logits, trainable: m.trainable, decayMask: m.decayMask })
//   const infer = emitOnnx({ inputs: m.batchInputs, outputs: [{ name: 'probs', tensor: m.evalProbs }] })
//
// Params are named exactly as in the checkpoint without the 'bert.' ('roberta.', 'distilbert.',
// 'electra.') prefix ('encoder.layer.0.attention.self.query.weight', 'pooler.dense.weight',
// 'transformer.layer.0.attention.q_lin.weight', 'classifier.weight'),
// torch layout ([out, in]), so trained weights map back to Hugging Face names one to one.
// createBertAdapter (bert-adapter.ts) wraps all this, with the tokenizer, as a ClassifierAdapter.
// Frozen params (freezeEmbeddings, freezeLayers) are left out of `trainable`: emitted graphs make
// them initializers. A classifier (or pooler) the checkpoint lacks is initialised seeded, as HF does.
import {
  Graph,
  type Tensor,
  cast,
  crossEntropy,
  div,
  dropout,
  gather,
  maximum,
  mul,
  reduceSum,
  relu,
  scalar,
  softmax,
  tanh,
  unsqueeze,
} from '../graph'
import { CtsError } from '../../shared'
import type { BertConfig } from './bert-config'
import { familyOf, usablePositions } from './bert-family'
import { bertEncoder, linear, type DropoutFn, type ParamLookup } from './bert-layers'
import type { ClassifierGraph } from './classifier-graph'
import { resolveBertWeights, type BertHead, type BertPart, type WeightMap } from './weights'

export type { BertHead } from './weights'

/** The ONNX input names of a BERT classifier graph. */
export const BERT_INPUT_NAMES = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  tokenTypeIds: 'token_type_ids',
  labels: 'labels',
  dropoutSeed: 'dropout_seed',
  classWeights: 'class_weights',
} as const

export interface BertClassifierOptions {
  numLabels: number
  /**
   * 'cls': the first token through the family's pooler (BERT/RoBERTa: dense + tanh; DistilBERT:
   * pre_classifier + ReLU; ELECTRA has none: the token as is) → dropout → linear;
   * 'mean': masked mean → dropout → linear.
   */
  head: BertHead
  /** Training graphs apply the config's dropout (seeded by the dropout_seed input) to `logits`. */
  training: boolean
  /** Longest padded sequence the caller will feed; checked against the position table. */
  maxLength?: number
  /** Keep word, position and token-type embeddings and their LayerNorm fixed. */
  freezeEmbeddings?: boolean
  /** Keep encoder layers 0 … freezeLayers-1 fixed. */
  freezeLayers?: number
  /** Seed for a classifier/pooler the checkpoint lacks (default 0). */
  initSeed?: number
}

export interface BertParam {
  /** Hugging Face name, without the base model's prefix ('bert.', 'roberta.' …). */
  name: string
  tensor: Tensor
  trainable: boolean
  /** AdamW weight decay applies (not on biases nor LayerNorm). */
  decay: boolean
  part: BertPart
}

export interface BertClassifierModel extends ClassifierGraph {
  inputIds: Tensor
  attentionMask: Tensor
  /** null when the family has no token types (DistilBERT). */
  tokenTypeIds: Tensor | null
  /** The same inputs by role. */
  inputs: { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor | null }
  /** [inputIds, attentionMask, tokenTypeIds?]: the batch inputs, in emit order. */
  batchInputs: Tensor[]
  /** Every param (frozen ones too), in Hugging Face order. */
  params: BertParam[]
  /** The params the train step updates, and whether each takes weight decay. */
  trainable: Tensor[]
  decayMask: boolean[]
  /** Params the checkpoint lacked and that start from a seeded initialisation. */
  initialized: string[]
  config: BertConfig
  options: BertClassifierOptions
}

function isFrozen(part: BertPart, layer: number | undefined, opts: BertClassifierOptions): boolean {
  if (part === 'embeddings') return opts.freezeEmbeddings === true
  if (part === 'encoder') return layer !== undefined && layer < (opts.freezeLayers ?? 0)
  return false
}

function checkOptions(config: BertConfig, opts: BertClassifierOptions): void {
  if (!Number.isInteger(opts.numLabels) || opts.numLabels < 2) {
    throw new CtsError('bad-input', `A classifier needs at least 2 labels, got ${opts.numLabels}.`)
  }
  const k = opts.freezeLayers ?? 0
  if (!Number.isInteger(k) || k < 0 || k > config.numLayers) {
    throw new CtsError('bad-input', `Cannot freeze ${k} layers: the model has ${config.numLayers}.`)
  }
  const positions = usablePositions(config)
  if (opts.maxLength !== undefined && opts.maxLength > positions) {
    throw new CtsError(
      'bad-input',
      `Maximum length ${opts.maxLength} exceeds the ${positions} positions this model knows.`,
    )
  }
}

/** Build the classifier graph from a config and checkpoint tensors (with or without the prefix). */
export function buildBertClassifier(
  config: BertConfig,
  weights: WeightMap,
  opts: BertClassifierOptions,
): BertClassifierModel {
  checkOptions(config, opts)
  const resolved = resolveBertWeights(config, weights, {
    numLabels: opts.numLabels,
    head: opts.head,
    seed: opts.initSeed,
  })
  const g = new Graph()
  const params: BertParam[] = resolved.specs.map((spec) => ({
    name: spec.name,
    tensor: g.param(spec.name, spec.shape, resolved.values.get(spec.name) as Float32Array),
    trainable: !isFrozen(spec.part, spec.layer, opts),
    decay: spec.decay,
    part: spec.part,
  }))
  const byName = new Map(params.map((p) => [p.name, p.tensor]))
  const p: ParamLookup = (name) => {
    const t = byName.get(name)
    if (!t) throw new Error(`bert: no param ${name}`)
    return t
  }

  const N = BERT_INPUT_NAMES
  const inputIds = g.input(N.inputIds, 'int64', ['batch', 'seq'])
  const attentionMask = g.input(N.attentionMask, 'int64', ['batch', 'seq'])
  const family = familyOf(config)
  const tokenTypeIds = family.tokenTypes ? g.input(N.tokenTypeIds, 'int64', ['batch', 'seq']) : null
  const labels = g.input(N.labels, 'int64', ['batch'])
  const dropoutSeed = g.input(N.dropoutSeed, 'int64', [])
  const classWeights = g.input(N.classWeights, 'float32', [opts.numLabels])
  const inputs = { inputIds, attentionMask, tokenTypeIds }

  const forward = (drop: DropoutFn): Tensor => {
    const hidden = bertEncoder(config, p, inputs, drop)
    const pooled =
      opts.head === 'cls' ? poolCls(config, hidden, p) : poolMean(hidden, attentionMask)
    const headDropout = config.headDropout ?? config.hiddenDropout
    return linear(drop(pooled, headDropout), p('classifier.weight'), p('classifier.bias'))
  }
  const noDropout: DropoutFn = (x) => x
  const evalLogits = forward(noDropout)
  const logits = opts.training ? forward((x, rate) => dropout(x, rate, dropoutSeed)) : evalLogits
  const trainable = params.filter((q) => q.trainable)
  return {
    graph: g,
    inputIds,
    attentionMask,
    tokenTypeIds,
    inputs,
    batchInputs: tokenTypeIds ? [inputIds, attentionMask, tokenTypeIds] : [inputIds, attentionMask],
    labels,
    dropoutSeed,
    classWeights,
    logits,
    probs: softmax(logits, -1),
    loss: crossEntropy(logits, labels, { classWeights }),
    evalLogits,
    evalProbs: softmax(evalLogits, -1),
    params,
    trainable: trainable.map((q) => q.tensor),
    decayMask: trainable.map((q) => q.decay),
    initialized: resolved.initialized,
    config,
    options: opts,
  }
}

/**
 * The first ([CLS], <s>) token through the family's pooler: BertPooler's dense + tanh,
 * DistilBERT's pre_classifier + ReLU, or nothing (ELECTRA, whose encoder has no pooler).
 */
function poolCls(config: BertConfig, hidden: Tensor, p: ParamLookup): Tensor {
  const cls = gather(hidden, scalar(hidden, 0, 'int64'), 1)
  const pooler = familyOf(config).pooler
  if (pooler === null) return cls
  const dense = linear(cls, p(`${pooler.name}.weight`), p(`${pooler.name}.bias`))
  return pooler.activation === 'tanh' ? tanh(dense) : relu(dense)
}

/** sentence-transformers' mean pooling: average of the real tokens' vectors. */
function poolMean(hidden: Tensor, attentionMask: Tensor): Tensor {
  const mask = cast(attentionMask, 'float32')
  const summed = reduceSum(mul(hidden, unsqueeze(mask, [2])), [1])
  // sentence-transformers clamps the count at 1e-9, so an all-padding row pools to zeros.
  return div(summed, maximum(reduceSum(mask, [1], true), 1e-9))
}

/** The current values of the trainable params by name, e.g. to seed a step runner. */
export function bertParamValues(model: BertClassifierModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const q of model.params) {
    const src = q.tensor.source
    if (src.kind === 'param') out.set(q.name, src.init)
  }
  return out
}
