// An ensemble run's model: its model.json names the member runs' bundles (their run folders, by a
// path relative to the ensemble's) and a weight each; probabilities = Σ weight × member's.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { LoadedClassifier } from './classifier-bundle'
import { BUNDLE_META } from '../../shared'

export const ENSEMBLE_FORMAT = 'cts-ensemble/1'

export interface EnsembleMember {
  runId: number
  /** The member's bundle folder, relative to the ensemble's folder ('../12'). */
  dir: string
  /** Its probabilities' weight; the weights of an ensemble sum to 1. */
  weight: number
  kind: 'baseline' | 'bert'
  baseModel: string
}

export interface EnsembleMeta {
  format: typeof ENSEMBLE_FORMAT
  /** Output order; each member's probabilities are matched to it by label name. */
  labels: string[]
  members: EnsembleMember[]
}

/** The ensemble description in `dir`'s model.json, or null when the folder holds another model. */
export function readEnsembleMeta(dir: string): EnsembleMeta | null {
  const path = join(dir, BUNDLE_META)
  if (!existsSync(path)) return null
  const meta = JSON.parse(readFileSync(path, 'utf8')) as { format?: string }
  return meta.format === ENSEMBLE_FORMAT ? (meta as EnsembleMeta) : null
}

export function memberBundleDir(ensembleDir: string, m: EnsembleMember): string {
  return resolve(ensembleDir, m.dir)
}

/** For each ensemble label, its column in the member's rows; throws when the label sets differ. */
export function labelColumns(memberLabels: string[], labels: string[]): number[] {
  const cols = labels.map((l) => memberLabels.indexOf(l))
  if (memberLabels.length !== labels.length || cols.some((c) => c < 0)) {
    throw new Error(
      `an ensemble member has labels ${memberLabels.join(', ')}, the ensemble ${labels.join(', ')}`,
    )
  }
  return cols
}

/**
 * Σ weights[m] × probs[m] row by row, with probs[m] [n × k] row-major in the member's own label
 * order and cols[m] mapping the ensemble's labels to its columns. Sums in float64.
 */
export function mixProbabilities(
  probs: ArrayLike<number>[],
  weights: number[],
  cols: number[][],
  k: number,
): Float32Array {
  const n = probs.length ? probs[0].length / k : 0
  const out = new Float32Array(n * k)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let p = 0
      for (let m = 0; m < probs.length; m++) p += weights[m] * probs[m][i * k + cols[m][c]]
      out[i * k + c] = p
    }
  }
  return out
}

/** Loads every member with `load` (the plain bundle loader) and mixes their probabilities. */
export async function loadEnsembleBundle(
  dir: string,
  meta: EnsembleMeta,
  load: (memberDir: string) => Promise<LoadedClassifier>,
): Promise<LoadedClassifier> {
  const members: LoadedClassifier[] = []
  try {
    for (const m of meta.members) {
      const d = memberBundleDir(dir, m)
      if (!existsSync(join(d, BUNDLE_META)))
        throw new Error(`ensemble member run ${m.runId} has no model in ${d}`)
      members.push(await load(d))
    }
  } catch (err) {
    await Promise.all(members.map((m) => m.release()))
    throw err
  }
  const cols = members.map((m) => labelColumns(m.labels, meta.labels))
  const weights = meta.members.map((m) => m.weight)
  return {
    labels: meta.labels,
    async predict(texts, batchSize) {
      const probs: Float32Array[] = []
      for (const m of members) probs.push(await m.predict(texts, batchSize))
      return mixProbabilities(probs, weights, cols, meta.labels.length)
    },
    release: async () => {
      await Promise.all(members.map((m) => m.release()))
    },
  }
}
