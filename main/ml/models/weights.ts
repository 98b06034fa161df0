// Hugging Face BERT-family weight names ↔ the classifier's params: which names a config needs, with
// what shape, whether AdamW decays them, and how a checkpoint's tensors (any prefix) become values.
import { CtsError } from '../../shared'
import type { BertConfig, BertModelType } from './bert-config'
import { FAMILY, embeddingWidth, familyOf } from './bert-family'
import { Rng } from '../train/rng'

/** The BERT initializer's standard deviation (config.initializer_range in every BERT checkpoint). */
export const BERT_INIT_STD = 0.02

export type BertHead = 'cls' | 'mean'

/** Where a param sits: embeddings, encoder layer `layer`, pooler (cls head only) or classifier. */
export type BertPart = 'embeddings' | 'encoder' | 'pooler' | 'classifier'

export interface BertParamSpec {
  /** The Hugging Face name inside the base model, without its 'bert.' ('roberta.' …) prefix. */
  name: string
  shape: number[]
  /** AdamW weight decay applies (the usual recipe: not on biases nor LayerNorm params). */
  decay: boolean
  part: BertPart
  /** Encoder layer index (part 'encoder' only). */
  layer?: number
}

/** A tensor as the safetensors reader returns it. */
export interface WeightTensor {
  shape: readonly number[]
  data: Float32Array
}

export type WeightMap = ReadonlyMap<string, WeightTensor>

export interface ResolvedWeights {
  /** Param values by HF name, in `specs` order. */
  values: Map<string, Float32Array>
  specs: BertParamSpec[]
  /** Names the checkpoint lacked and that were freshly initialised (classifier, sometimes pooler). */
  initialized: string[]
}

/**
 * HF's recipe: no decay on biases and LayerNorm params (weights of LayerNorm modules, which
 * DistilBERT names sa_layer_norm / output_layer_norm inside its layers).
 */
export function isDecayed(name: string): boolean {
  return !(name.endsWith('.bias') || name.includes('LayerNorm.') || name.includes('layer_norm.'))
}

/** Every param a classifier over this config needs, in Hugging Face's order. */
export function bertParamSpecs(
  config: BertConfig,
  numLabels: number,
  head: BertHead,
): BertParamSpec[] {
  const family = familyOf(config)
  const h = config.hiddenSize
  const e = embeddingWidth(config)
  const specs: BertParamSpec[] = []
  const add = (name: string, shape: number[], part: BertPart, layer?: number) =>
    specs.push({
      name,
      shape,
      decay: isDecayed(name),
      part,
      ...(layer === undefined ? {} : { layer }),
    })
  const linear = (prefix: string, out: number, inp: number, part: BertPart, layer?: number) => {
    add(`${prefix}.weight`, [out, inp], part, layer)
    add(`${prefix}.bias`, [out], part, layer)
  }
  const norm = (prefix: string, width: number, part: BertPart, layer?: number) => {
    add(`${prefix}.weight`, [width], part, layer)
    add(`${prefix}.bias`, [width], part, layer)
  }
  add('embeddings.word_embeddings.weight', [config.vocabSize, e], 'embeddings')
  add('embeddings.position_embeddings.weight', [config.maxPositions, e], 'embeddings')
  if (family.tokenTypes) {
    add('embeddings.token_type_embeddings.weight', [config.typeVocabSize, e], 'embeddings')
  }
  norm('embeddings.LayerNorm', e, 'embeddings')
  // ELECTRA's projection of small embeddings to the hidden size belongs with the embeddings:
  // freezing the embeddings freezes the whole input representation.
  if (e !== h) linear('embeddings_project', h, e, 'embeddings')
  const n = family.names
  for (let i = 0; i < config.numLayers; i++) {
    const p = family.layerPrefix(i)
    linear(`${p}.${n.query}`, h, h, 'encoder', i)
    linear(`${p}.${n.key}`, h, h, 'encoder', i)
    linear(`${p}.${n.value}`, h, h, 'encoder', i)
    linear(`${p}.${n.attentionOut}`, h, h, 'encoder', i)
    norm(`${p}.${n.attentionNorm}`, h, 'encoder', i)
    linear(`${p}.${n.ffnIn}`, config.intermediateSize, h, 'encoder', i)
    linear(`${p}.${n.ffnOut}`, h, config.intermediateSize, 'encoder', i)
    norm(`${p}.${n.outputNorm}`, h, 'encoder', i)
  }
  if (head === 'cls' && family.pooler) linear(family.pooler.name, h, h, 'pooler')
  linear('classifier', numLabels, h, 'classifier')
  return specs
}

const ALL_PREFIXES = [...new Set(Object.values(FAMILY).map((f) => f.prefix))]

/**
 * The checkpoint's names brought to the base-model form: drops the family's base-model prefix
 * ('bert.', 'roberta.', 'distilbert.', 'electra.': task checkpoints such as
 * BertForSequenceClassification carry one; without `modelType`, any of them) and renames TF-era
 * LayerNorm gamma/beta.
 */
export function normalizeWeightName(name: string, modelType?: BertModelType): string {
  const prefixes = modelType === undefined ? ALL_PREFIXES : [FAMILY[modelType].prefix]
  const prefix = prefixes.find((p) => name.startsWith(p))
  let n = prefix === undefined ? name : name.slice(prefix.length)
  if (n.includes('LayerNorm.')) n = n.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias')
  return n
}

/**
 * Picks every param's value from a checkpoint. The encoder and embeddings must be present with
 * the right shapes; a missing pooler (some sentence-transformers exports) or a classifier that is
 * missing or sized for another label count is initialised fresh, seeded so the same seed gives the
 * same start: for the cls head as BertForSequenceClassification does (normal(0, 0.02) weights,
 * zero biases), for the mean head as the torch.nn.Linear that a sentence-transformers classifier
 * puts on top (weights and bias uniform in ±1/sqrt(fan_in)).
 *
 * Why the heads differ: at the recipe's lr 2e-5 the head itself moves only ~0.01 per weight in a
 * whole run, so its starting scale sets how fast the logits follow the encoder. Matching each
 * head's PyTorch counterpart keeps our learning curve on theirs (issue #3, point 10: with
 * normal(0, 0.02) on the mean head our train loss trailed PyTorch's at every epoch).
 */
export function resolveBertWeights(
  config: BertConfig,
  weights: WeightMap,
  options: { numLabels: number; head: BertHead; seed?: number },
): ResolvedWeights {
  const byName = new Map<string, WeightTensor>()
  for (const [k, v] of weights) byName.set(normalizeWeightName(k, config.modelType), v)
  const specs = bertParamSpecs(config, options.numLabels, options.head)
  const rng = new Rng(options.seed ?? 0)
  const values = new Map<string, Float32Array>()
  const initialized: string[] = []
  for (const spec of specs) {
    const found = byName.get(spec.name)
    const fits = found !== undefined && sameShape(found.shape, spec.shape)
    const mayInit = spec.part === 'classifier' || spec.part === 'pooler'
    if (fits) {
      values.set(spec.name, found.data)
    } else if (mayInit) {
      values.set(spec.name, initValue(spec, options.head, config.hiddenSize, rng))
      initialized.push(spec.name)
    } else if (found === undefined) {
      throw new CtsError(
        'bad-input',
        `The model weights lack ${spec.name}: this folder does not hold a ${familyOf(config).label} model that matches its config.json.`,
      )
    } else {
      throw new CtsError(
        'bad-input',
        `The model weight ${spec.name} has shape [${found.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}].`,
      )
    }
  }
  return { values, specs, initialized }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

/** torch.nn.Linear's default: kaiming_uniform(a=√5) for the weight and the same bound for the bias. */
function linearDefaultInit(n: number, fanIn: number, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(fanIn)
  return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * bound)
}

function initValue(spec: BertParamSpec, head: BertHead, hidden: number, rng: Rng): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1)
  if (spec.part === 'classifier' && head === 'mean') {
    // fan_in is the hidden size (weight [labels, hidden]); the bias shares the weight's bound.
    return linearDefaultInit(n, hidden, rng)
  }
  const out = new Float32Array(n)
  if (spec.name.endsWith('.bias')) return out
  for (let i = 0; i < n; i += 2) {
    // Box–Muller: two standard normals per pair of uniforms.
    const u = 1 - rng.next()
    const v = rng.next()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = BERT_INIT_STD * r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = BERT_INIT_STD * r * Math.sin(2 * Math.PI * v)
  }
  return out
}

/**
 * Checkpoint tensors the classifier never reads (torch-reader helper): MLM/NSP heads (`cls.*`),
 * the pooler under a mean head, `position_ids` buffers. Not an error: the import lists them.
 */
export function unusedWeightNames(
  config: BertConfig,
  checkpointNames: Iterable<string>,
  head: BertHead,
): string[] {
  // The label count only sizes the classifier; its names are the same for any count.
  const used = new Set(bertParamSpecs(config, 1, head).map((s) => s.name))
  return [...checkpointNames]
    .filter((n) => !used.has(normalizeWeightName(n, config.modelType)))
    .sort()
}
