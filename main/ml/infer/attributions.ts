// Why did the model say that? Gradient × input attributions computed through our own autodiff:
// a second ONNX model from the same builder outputs logits, probabilities and, per token, the sum
// over the hidden axis of d(logit of the predicted class)/d(embedding) ⊙ embedding.
//
// Method (one for both families, documented in the model card and the UI):
//   score_t = Σ_h ∂z_ĉ/∂e_{t,h} · e_{t,h}, with z_ĉ the predicted class's logit and e_t the row the
//   model gathered for unit t (BERT: the token's word embedding, before position/type embeddings
//   and LayerNorm; baseline: the n-gram's bag row). It is the first-order effect of scaling that
//   embedding: d z_ĉ(e_t·(1+ε))/dε at ε = 0, which the tests check by finite differences. For the
//   baseline (linear in its rows) the scores sum exactly to z_ĉ minus the classifier bias.
import * as ort from 'onnxruntime-node'
import { argMax, emitOnnx, gatherElements, grad, mul, reduceSum } from '../graph'
import { argmax } from '../eval/metrics'
import { createSession, type DeviceChoice } from '../runtime'
import { baselineCodec } from '../models/baseline-adapter'
import type { BaselineModelConfig } from '../models/baseline'
import { baselineNgrams } from '../models/baseline-features'
import { readTfidfVocabulary } from '../models/baseline-tfidf'
import { gramUnitShares, tfidfGrams } from '../models/baseline-analyzer'
import { bertCodec } from '../models/bert-adapter'
import { loadTokenizer } from '../tokenize/load-tokenizer'
import type { ClinicalTokenizer } from '../tokenize/clinical-tokenizer'
import { BUNDLE_TOKENIZER_DIR } from '../../shared'
import { loadBundleGraph, type BundleGraph } from './bundle-graph'
import { baselineNgramUnits, wordPieceSpans, type TextSpan } from './token-spans'

export const ATTRIBUTION_METHOD = 'gradient-x-input'

/** Output names of the attribution model. */
export const ATTRIBUTION_OUTPUTS = { logits: 'logits', probs: 'probs', scores: 'attributions' }

/** The attribution model: the bundle's inputs → logits, probs, attributions [batch, seq]. */
export function attributionModelBytes(bg: BundleGraph): Uint8Array {
  const logits = bg.evalLogits
  // The predicted class per row; ArgMax carries no gradient, so only the selected logit does.
  const chosen = gatherElements(logits, argMax(logits, -1, true), 1)
  const [dEmbedded] = grad(reduceSum(chosen), [bg.embedded])
  const scores = reduceSum(mul(dEmbedded, bg.embedded), [2])
  return emitOnnx({
    inputs: bg.batchInputs,
    outputs: [
      { name: ATTRIBUTION_OUTPUTS.logits, tensor: logits },
      { name: ATTRIBUTION_OUTPUTS.probs, tensor: bg.evalProbs },
      { name: ATTRIBUTION_OUTPUTS.scores, tensor: scores },
    ],
  })
}

export interface TokenAttribution extends TextSpan {
  score: number
}

export interface Explanation {
  /** In label order. */
  probabilities: number[]
  logits: number[]
  labelIndex: number
  /** One per token (BERT, special tokens left out) or per word / CJK character (baseline). */
  tokens: TokenAttribution[]
  truncated: boolean
  method: typeof ATTRIBUTION_METHOD
}

export interface Explainer {
  kind: 'baseline' | 'bert'
  labels: string[]
  explain(text: string): Promise<Explanation>
  release(): Promise<void>
}

/** Build the attribution model of the bundle in `dir` and open a session on it. */
export async function loadExplainer(dir: string, device: DeviceChoice = 'cpu'): Promise<Explainer> {
  const bg = loadBundleGraph(dir)
  const { session } = await createSession(attributionModelBytes(bg), { device })
  const labels = [...bg.meta.labels]
  const run = async (feeds: Record<string, ort.Tensor>) => {
    const out = await session.run(feeds)
    return {
      logits: Array.from(out[ATTRIBUTION_OUTPUTS.logits].data as Float32Array),
      probs: Array.from(out[ATTRIBUTION_OUTPUTS.probs].data as Float32Array),
      scores: Array.from(out[ATTRIBUTION_OUTPUTS.scores].data as Float32Array),
    }
  }
  const explainWith =
    bg.kind === 'bert' ? await bertExplain(dir, bg, run) : baselineExplain(dir, bg, run)
  return {
    kind: bg.kind,
    labels,
    explain: explainWith,
    release: () => session.release(),
  }
}

type RunFn = (feeds: Record<string, ort.Tensor>) => Promise<{
  logits: number[]
  probs: number[]
  scores: number[]
}>

async function bertExplain(
  dir: string,
  bg: BundleGraph,
  run: RunFn,
): Promise<(text: string) => Promise<Explanation>> {
  const e = bg.meta.encoder as { numClasses: number; maxLength: number; lengthMultiple: number }
  const tokenizer: ClinicalTokenizer = await loadTokenizer(`${dir}/${BUNDLE_TOKENIZER_DIR}`)
  const codec = bertCodec(tokenizer, { ...e, describe: bg.meta.encoder })
  const special = new Set([...tokenizer.prefixIds, ...tokenizer.suffixIds, tokenizer.padId])
  const unk = tokenizer.unkId === null ? undefined : tokenizer.tokens([tokenizer.unkId])[0]
  return async (text) => {
    const item = codec.encode(text)
    const r = await run(codec.feeds([item], item.length))
    const kept = item.ids.map((id, i) => ({ id, i })).filter((t) => !special.has(t.id))
    const pieces = tokenizer.tokens(kept.map((t) => t.id))
    const spans = wordPieceSpans(text, pieces, unk, tokenizer.pieceStyle)
    const tokens = spans.map((s, k) => withText(text, s, r.scores[kept[k].i]))
    const lastEnd = spans.reduce((m, s) => Math.max(m, s.end ?? 0), 0)
    const truncated = item.ids.length >= e.maxLength && text.slice(lastEnd).trim().length > 0
    return {
      probabilities: r.probs,
      logits: r.logits,
      labelIndex: argmax(r.logits),
      tokens,
      truncated,
      method: ATTRIBUTION_METHOD,
    }
  }
}

/** A located unit shows the original text (case, accents), not the normalised token. */
function withText(text: string, s: TextSpan, score: number): TokenAttribution {
  if (s.start === undefined || s.end === undefined) return { token: s.token, score }
  return { token: text.slice(s.start, s.end), start: s.start, end: s.end, score }
}

function baselineExplain(
  dir: string,
  bg: BundleGraph,
  run: RunFn,
): (text: string) => Promise<Explanation> {
  const { lengthMultiple, ...config } = bg.meta.encoder as unknown as BaselineModelConfig & {
    lengthMultiple: number
  }
  if (config.form === 'tfidf') return tfidfExplain(dir, config, lengthMultiple, run)
  const codec = baselineCodec(config, lengthMultiple)
  return async (text) => {
    const item = codec.encode(text)
    const r = await run(codec.feeds([item], item.length))
    const n = item.ids.length
    const grams = baselineNgrams(text, config.charNgrams)
    const units = baselineNgramUnits(text, config.charNgrams)
    let tokens: TokenAttribution[]
    if (units) {
      const scores = new Array<number>(units.units.length).fill(0)
      for (let g = 0; g < n; g++)
        for (const share of units.shares[g]) scores[share.unit] += share.weight * r.scores[g]
      tokens = units.units.map((u, i) => ({ ...u, score: scores[i] }))
    } else {
      // Offsets unavailable: show the n-grams themselves, without highlighting.
      tokens = grams
        .slice(0, n)
        .map((g, i) => ({ token: g.slice(g.indexOf(':') + 1), score: r.scores[i] }))
    }
    return {
      probabilities: r.probs,
      logits: r.logits,
      labelIndex: argmax(r.logits),
      tokens,
      truncated: grams.length > config.maxFeatures,
      method: ATTRIBUTION_METHOD,
    }
  }
}

/**
 * The tfidf form scores each distinct n-gram once (its slot): its occurrences share that score
 * equally, each spreading its part over the words it covers; n-grams never seen in training (or
 * cut by maxFeatures) score 0.
 */
function tfidfExplain(
  dir: string,
  config: BaselineModelConfig,
  lengthMultiple: number,
  run: RunFn,
): (text: string) => Promise<Explanation> {
  const codec = baselineCodec(config, lengthMultiple, readTfidfVocabulary(dir, config.buckets))
  return async (text) => {
    const item = codec.encode(text)
    const r = await run(codec.feeds([item], item.length))
    const slots = item.slots!
    const occurrences = new Map<number, number>()
    for (const s of slots) if (s >= 0) occurrences.set(s, (occurrences.get(s) ?? 0) + 1)
    const { units, shares } = gramUnitShares(text, tfidfGrams(text, config.charMax ?? 4))
    const scores = new Array<number>(units.length).fill(0)
    slots.forEach((slot, g) => {
      if (slot < 0) return
      const score = r.scores[slot] / occurrences.get(slot)!
      for (const share of shares[g]) scores[share.unit] += share.weight * score
    })
    return {
      probabilities: r.probs,
      logits: r.logits,
      labelIndex: argmax(r.logits),
      tokens: units.map((u, i) => ({ ...u, score: scores[i] })),
      truncated: item.ids.length >= config.maxFeatures,
      method: ATTRIBUTION_METHOD,
    }
  }
}
