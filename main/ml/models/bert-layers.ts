// The BERT-family encoder's blocks in the graph IR, computed as transformers' BertModel (and
// RobertaModel, DistilBertModel, ElectraModel) compute them: embeddings, multi-head self-attention
// with the padding mask, GELU feed-forward, post-LN residuals.
import {
  type Tensor,
  add,
  cast,
  equal,
  gather,
  gelu,
  layerNorm,
  less,
  matmul,
  mul,
  range,
  reshape,
  scalar,
  shapeOf,
  softmax,
  sub,
  transpose,
  unsqueeze,
} from '../graph'
import type { BertConfig } from './bert-config'
import { embeddingWidth, familyOf } from './bert-family'

/**
 * What masked keys get added to their attention scores: float32's lowest value, as transformers'
 * eager attention uses (torch.finfo(float32).min), so exp() of a masked score is exactly 0.
 */
export const MASKED_SCORE = -3.4028234663852886e38

/** Looks up a param by its Hugging Face name. */
export type ParamLookup = (name: string) => Tensor

/** Dropout as the caller wants it: the seeded op while training, identity for inference. */
export type DropoutFn = (x: Tensor, p: number) => Tensor

/** x W^T + b with W in torch's [out, in] layout, so checkpoint tensors load unchanged. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  return add(matmul(x, transpose(weight, [1, 0])), bias)
}

function dense(x: Tensor, p: ParamLookup, prefix: string): Tensor {
  return linear(x, p(`${prefix}.weight`), p(`${prefix}.bias`))
}

function norm(x: Tensor, p: ParamLookup, prefix: string, eps: number): Tensor {
  return layerNorm(x, p(`${prefix}.weight`), p(`${prefix}.bias`), eps)
}

/**
 * RoBERTa's position ids (transformers' create_position_ids_from_input_ids): a running count of
 * the non-padding tokens, plus padding_idx; padding tokens get padding_idx itself. The running
 * count is a matmul with an upper-triangular ones matrix (exact in float32 up to 2^24 tokens).
 */
function positionsAfterPadding(inputIds: Tensor, padId: number): Tensor {
  const seqLen = gather(shapeOf(inputIds), scalar(inputIds, 1, 'int64'), 0)
  const idx = range(scalar(inputIds, 0, 'int64'), seqLen, inputIds.shape[1])
  // upTo[j, i] = 1 where j ≤ i: column i sums the mask over tokens 0..i.
  const upTo = cast(less(unsqueeze(idx, [1]), unsqueeze(add(idx, 1), [0])), 'float32')
  const real = sub(1, cast(equal(inputIds, padId), 'float32'))
  const count = mul(matmul(real, upTo), real)
  return add(cast(count, 'int64'), padId)
}

/**
 * Word + token-type + position embeddings, LayerNorm, dropout (and ELECTRA's projection to the
 * hidden size). Positions are 0..seq-1, or RoBERTa's count after padding_idx; `tokenTypeIds` is
 * null for families without token types (DistilBERT).
 */
export function bertEmbeddings(
  config: BertConfig,
  p: ParamLookup,
  inputIds: Tensor,
  tokenTypeIds: Tensor | null,
  drop: DropoutFn,
): Tensor {
  const family = familyOf(config)
  let positions: Tensor
  if (family.positions === 'after-padding') {
    positions = positionsAfterPadding(inputIds, config.padTokenId)
  } else {
    const seqLen = gather(shapeOf(inputIds), scalar(inputIds, 1, 'int64'), 0)
    positions = range(scalar(inputIds, 0, 'int64'), seqLen, inputIds.shape[1])
  }
  const words = gather(p('embeddings.word_embeddings.weight'), inputIds, 0)
  const types =
    tokenTypeIds === null
      ? null
      : gather(p('embeddings.token_type_embeddings.weight'), tokenTypeIds, 0)
  const pos = gather(p('embeddings.position_embeddings.weight'), positions, 0)
  const summed = types === null ? add(words, pos) : add(add(words, types), pos)
  const embedded = drop(
    norm(summed, p, 'embeddings.LayerNorm', config.layerNormEps),
    config.hiddenDropout,
  )
  return embeddingWidth(config) === config.hiddenSize
    ? embedded
    : dense(embedded, p, 'embeddings_project')
}

/**
 * The additive attention mask [batch, 1, 1, seq] from the int64 [batch, seq] attention_mask:
 * 0 where a key is a real token, MASKED_SCORE where it is padding.
 */
export function extendedAttentionMask(attentionMask: Tensor): Tensor {
  const keep = cast(attentionMask, 'float32')
  return unsqueeze(mul(sub(1, keep), MASKED_SCORE), [1, 2])
}

/** Multi-head self-attention of one layer (without its output projection). */
function selfAttention(
  config: BertConfig,
  p: ParamLookup,
  prefix: string,
  x: Tensor,
  maskBias: Tensor,
  drop: DropoutFn,
): Tensor {
  const names = familyOf(config).names
  const heads = config.numHeads
  const headDim = config.hiddenSize / heads
  // [batch, seq, hidden] → [batch, heads, seq, headDim]
  const split = (t: Tensor) => transpose(reshape(t, [0, 0, heads, headDim]), [0, 2, 1, 3])
  const q = split(dense(x, p, `${prefix}.${names.query}`))
  const k = split(dense(x, p, `${prefix}.${names.key}`))
  const v = split(dense(x, p, `${prefix}.${names.value}`))
  const scores = mul(matmul(q, transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(headDim))
  const probs = drop(softmax(add(scores, maskBias), -1), config.attentionDropout)
  const context = transpose(matmul(probs, v), [0, 2, 1, 3])
  return reshape(context, [0, 0, config.hiddenSize])
}

/**
 * One post-LN transformer layer: attention → add & norm → GELU feed-forward → add & norm.
 * DistilBERT's TransformerBlock has no dropout on the attention output; BERT's has.
 */
export function bertLayer(
  config: BertConfig,
  p: ParamLookup,
  index: number,
  x: Tensor,
  maskBias: Tensor,
  drop: DropoutFn,
): Tensor {
  const family = familyOf(config)
  const n = family.names
  const prefix = family.layerPrefix(index)
  const eps = config.layerNormEps
  const context = selfAttention(config, p, prefix, x, maskBias, drop)
  const projected = dense(context, p, `${prefix}.${n.attentionOut}`)
  const attnOut = family.attentionOutputDropout ? drop(projected, config.hiddenDropout) : projected
  const h = norm(add(attnOut, x), p, `${prefix}.${n.attentionNorm}`, eps)
  const inner = gelu(dense(h, p, `${prefix}.${n.ffnIn}`))
  const out = drop(dense(inner, p, `${prefix}.${n.ffnOut}`), config.hiddenDropout)
  return norm(add(out, h), p, `${prefix}.${n.outputNorm}`, eps)
}

/** The whole encoder: last hidden state [batch, seq, hidden]. */
export function bertEncoder(
  config: BertConfig,
  p: ParamLookup,
  inputs: { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor | null },
  drop: DropoutFn,
): Tensor {
  let h = bertEmbeddings(config, p, inputs.inputIds, inputs.tokenTypeIds, drop)
  const maskBias = extendedAttentionMask(inputs.attentionMask)
  for (let i = 0; i < config.numLayers; i++) h = bertLayer(config, p, i, h, maskBias, drop)
  return h
}
