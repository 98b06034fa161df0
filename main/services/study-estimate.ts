// Time estimates of a study's candidates: before a model has run, from its training texts' token
// counts and its size (training ≈ 6 × encoder parameters FLOPs per token, dev scoring ≈ 2 ×) at an
// assumed CPU speed; once a candidate of that model has run, from its measured seconds per epoch.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadTokenizer } from '../ml/tokenize/load-tokenizer'

/**
 * Assumed sustained training speed before anything was measured: onnxruntime reaches ~70–300
 * GFLOP/s on BERT MatMuls here (shared/docs/environment.md); a training step (backward, AdamW,
 * small batches, padding) gets far less of it. Deliberately low: a first estimate should not
 * promise what the machine cannot do. Replaced by the measured time after the first candidate.
 */
export const ASSUMED_FLOPS_PER_SECOND = 10e9
/** Baseline prior, seconds per text per epoch (measured ~1.1 s per epoch on ~1,000 texts). */
export const BASELINE_SECONDS_PER_TEXT = 2e-3

export interface EstimateRequest {
  /** 'baseline' or the model folder. */
  key: string
  kind: 'baseline' | 'bert'
  trainTexts: readonly string[]
  devTexts: readonly string[]
  maxLength: number
}

export interface StudyEstimator {
  /** Seconds one epoch (training + dev scoring) of this candidate is expected to take. */
  epochSeconds(r: EstimateRequest): Promise<number>
  /** A finished candidate's measured seconds per epoch: later candidates of that key use it. */
  observe(key: string, secondsPerEpoch: number): void
  /** Whether epochSeconds(key) comes from a measurement (shown next to the estimate). */
  measured(key: string): boolean
}

/** Encoder parameters a token passes through (embeddings excluded: a lookup, not a MatMul). */
export function encoderParameters(config: Record<string, unknown>): number {
  const h = Number(config.hidden_size ?? 384)
  const layers = Number(config.num_hidden_layers ?? 6)
  const inter = Number(config.intermediate_size ?? 4 * h)
  return layers * (4 * h * h + 2 * h * inter)
}

export class TokenCountEstimator implements StudyEstimator {
  private readonly seen = new Map<string, number>()

  async epochSeconds(r: EstimateRequest): Promise<number> {
    const observed = this.seen.get(r.key)
    if (observed !== undefined) return observed
    if (r.kind === 'baseline') return BASELINE_SECONDS_PER_TEXT * r.trainTexts.length
    const tokenizer = await loadTokenizer(r.key)
    const tokens = (texts: readonly string[]) =>
      texts.reduce((n, t) => n + tokenizer.encode(t, r.maxLength).length, 0)
    const config = JSON.parse(readFileSync(join(r.key, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >
    const params = encoderParameters(config)
    const flops = 6 * params * tokens(r.trainTexts) + 2 * params * tokens(r.devTexts)
    return flops / ASSUMED_FLOPS_PER_SECOND
  }

  observe(key: string, secondsPerEpoch: number): void {
    this.seen.set(key, secondsPerEpoch)
  }

  measured(key: string): boolean {
    return this.seen.has(key)
  }
}
