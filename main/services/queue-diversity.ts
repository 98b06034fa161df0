// The diversity order's kept state for one project: its texts' TF-IDF vectors and each text's
// cosine distance to the nearest labelled text, updated label by label (k-centre greedy's
// "nearest" array, main/ml/active/strategies.ts, kept between calls instead of rebuilt).
import { tfidfVectorsYielding } from '../ml/active/out-of-fold'
import { kCentreGreedy } from '../ml/active/strategies'

/** Texts whose distances are updated between two yields to the event loop (label writes wait). */
const CHUNK = 500

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface DiversePick {
  textId: number
  /** Cosine distance to the nearest labelled (or earlier picked) text. */
  distance: number
}

export class DiversityIndex {
  private readonly index: Map<number, number>
  private readonly vectors: Float32Array[]
  /** Positions of each vector's non-zero entries (hashed TF-IDF of a note is mostly zeros). */
  private readonly nonZero: Int32Array[]
  private readonly norms: Float64Array
  private labelled = new Set<number>()
  private readonly nearest: Float64Array

  /**
   * The index of `texts` (`key` names that text set). The vectors are built in chunks with yields
   * to the event loop: a first diversity call on a few thousand notes takes seconds, and label
   * writes must not wait for it.
   */
  static async build(key: string, texts: { id: number; text: string }[]): Promise<DiversityIndex> {
    return new DiversityIndex(key, texts, await tfidfVectorsYielding(texts.map((t) => t.text)))
  }

  private constructor(
    readonly key: string,
    texts: { id: number; text: string }[],
    vectors: Float32Array[],
  ) {
    this.index = new Map(texts.map((t, i) => [t.id, i]))
    this.vectors = vectors
    this.nonZero = this.vectors.map((v) => {
      const nz: number[] = []
      for (let j = 0; j < v.length; j++) if (v[j] !== 0) nz.push(j)
      return Int32Array.from(nz)
    })
    this.norms = Float64Array.from(this.vectors, (v) => {
      let s = 0
      for (let j = 0; j < v.length; j++) s += v[j] * v[j]
      return Math.sqrt(s)
    })
    this.nearest = new Float64Array(this.vectors.length).fill(Infinity)
  }

  /**
   * Brings the distances up to date with the texts labelled now: new labels are absorbed (one
   * pass over the texts each, yielding to the event loop between chunks); a removed label
   * starts again, since distances only ever shrink.
   */
  async update(labelled: Set<number>): Promise<void> {
    if ([...this.labelled].some((id) => !labelled.has(id))) {
      this.labelled = new Set()
      this.nearest.fill(Infinity)
    }
    let done = 0
    for (const id of labelled) {
      if (this.labelled.has(id)) continue
      const v = this.index.get(id)
      if (v === undefined) continue
      for (let i = 0; i < this.vectors.length; i++) {
        const d = this.distance(i, v)
        if (d < this.nearest[i]) this.nearest[i] = d
        if (++done % (CHUNK * 8) === 0) await yieldNow()
      }
      this.labelled.add(id)
    }
  }

  /**
   * k-centre greedy over `candidates` (text ids, in tie-break order) from the kept distances: the
   * same picks and distances as kCentreGreedy(candidates, labelled, n) would give.
   */
  pick(candidates: number[], n: number): DiversePick[] {
    const cand = candidates.map((id) => this.index.get(id)!)
    if (this.labelled.size === 0) {
      // Nothing labelled: kCentreGreedy starts at the text nearest the candidates' centroid.
      const picked = kCentreGreedy(
        cand.map((i) => this.vectors[i]),
        [],
        n,
      )
      return picked.picks.map((p, j) => ({
        textId: candidates[p],
        distance: picked.distances[j],
      }))
    }
    const nearest = Float64Array.from(cand, (i) => this.nearest[i])
    const taken = new Uint8Array(cand.length)
    const out: DiversePick[] = []
    while (out.length < Math.min(n, cand.length)) {
      let best = -1
      for (let c = 0; c < cand.length; c++) {
        if (!taken[c] && (best < 0 || nearest[c] > nearest[best])) best = c
      }
      taken[best] = 1
      out.push({ textId: candidates[best], distance: nearest[best] })
      for (let c = 0; c < cand.length; c++) {
        if (taken[c]) continue
        const d = this.distance(cand[c], cand[best])
        if (d < nearest[c]) nearest[c] = d
      }
    }
    return out
  }

  /**
   * Cosine distance as strategies.ts computes it (a zero vector is at distance 1), summing only
   * over text i's non-zero entries: the skipped terms are exact zeros, so the sum is the same.
   */
  private distance(i: number, j: number): number {
    const ni = this.norms[i]
    const nj = this.norms[j]
    if (ni === 0 || nj === 0) return 1
    const a = this.vectors[i]
    const b = this.vectors[j]
    const nz = this.nonZero[i]
    let dot = 0
    for (let e = 0; e < nz.length; e++) dot += a[nz[e]] * b[nz[e]]
    return 1 - dot / (ni * nj)
  }
}
