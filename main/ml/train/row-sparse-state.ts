// Host side of a row-sparse table (row-sparse-graph.ts): the step is fed only the "active" rows —
// every row some batch has read so far — with their AdamW moments; the other rows stay here.
//
// Why this equals AdamW on the whole table: a row no batch has read has gradient 0 at every step,
// so its moments stay exactly 0 and AdamW only decays it, p ← p · (1 − lr·wd), with an update of
// 0 / (√0 + ε) = 0. Those rows are kept as the table they started from times the running product
// of the decay factors (float64; the step-by-step float32 product differs by at most one rounding
// per step, about 6e-8 relative each). Once read, a row stays active for the rest of the run,
// since its moments are then nonzero and AdamW moves it at every step.
import type { ParamIO } from './train-step'

export class RowSparseTable {
  readonly rows: number
  readonly width: number
  /** Row → its position among the active rows, or −1. */
  private readonly slot: Int32Array
  /** Active rows in slot order. */
  private order: number[] = []
  /** Active rows' values and moments, [order.length, width]. */
  private p: Float32Array = new Float32Array(0)
  private m: Float32Array = new Float32Array(0)
  private v: Float32Array = new Float32Array(0)
  /** Inactive row r is fround(base[r] · scale). */
  private base: Float32Array
  private scale = 1

  constructor(
    readonly io: ParamIO,
    initial: Float32Array,
    /** Whether AdamW decays this table (its decay-mask entry). */
    private readonly decays: boolean,
  ) {
    ;[this.rows, this.width] = io.shape
    this.slot = new Int32Array(this.rows).fill(-1)
    this.base = initial
  }

  get activeRows(): number {
    return this.order.length
  }

  /**
   * The batch's ids as positions among the active rows, activating rows read for the first time
   * (value: base · scale; moments 0). An id outside the table is an error here, as in Gather.
   */
  localIds(ids: BigInt64Array): BigInt64Array {
    const fresh: number[] = []
    const out = new BigInt64Array(ids.length)
    for (let i = 0; i < ids.length; i++) {
      const r = Number(ids[i])
      if (!(r >= 0 && r < this.rows)) {
        throw new Error(`${this.io.name}: row ${r} is outside the table's ${this.rows} rows`)
      }
      if (this.slot[r] < 0) {
        this.slot[r] = this.order.length + fresh.length
        fresh.push(r)
      }
      out[i] = BigInt(this.slot[r])
    }
    if (fresh.length) this.activate(fresh)
    return out
  }

  private activate(fresh: number[]): void {
    const n = this.order.length
    const w = this.width
    const grow = (a: Float32Array) => {
      const b = new Float32Array((n + fresh.length) * w)
      b.set(a)
      return b
    }
    this.p = grow(this.p)
    this.m = grow(this.m)
    this.v = grow(this.v)
    fresh.forEach((r, j) => {
      const at = (n + j) * w
      for (let c = 0; c < w; c++) this.p[at + c] = this.base[r * w + c] * this.scale
    })
    this.order.push(...fresh)
  }

  /** The active rows' value and moments to feed, [activeRows, width]. */
  feeds(): { p: Float32Array; m: Float32Array; v: Float32Array; dims: number[] } {
    return { p: this.p, m: this.m, v: this.v, dims: [this.order.length, this.width] }
  }

  /** After a call that succeeded: its outputs, and the learning rate and decay of each of its steps. */
  update(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    lrs: number[],
    weightDecay: number,
  ): void {
    this.p = p
    this.m = m
    this.v = v
    if (!this.decays) return
    // The graph's factor, in its float32 arithmetic: 1 − lr·wd (adamw-graph.ts).
    const wd = Math.fround(weightDecay)
    for (const lr of lrs) this.scale *= Math.fround(1 - Math.fround(Math.fround(lr) * wd))
  }

  /** The whole table as it is now (a new array). */
  values(): Float32Array {
    const w = this.width
    const out = new Float32Array(this.rows * w)
    for (let i = 0; i < out.length; i++) out[i] = this.base[i] * this.scale
    this.order.forEach((r, s) => out.set(this.p.subarray(s * w, (s + 1) * w), r * w))
    return out
  }

  /** Whole-table moments (0 for inactive rows), for a checkpoint. */
  moments(): { m: Float32Array; v: Float32Array } {
    const w = this.width
    const m = new Float32Array(this.rows * w)
    const v = new Float32Array(this.rows * w)
    this.order.forEach((r, s) => {
      m.set(this.m.subarray(s * w, (s + 1) * w), r * w)
      v.set(this.v.subarray(s * w, (s + 1) * w), r * w)
    })
    return { m, v }
  }

  /** Restore from whole-table value and moments: rows with a nonzero moment are active again. */
  load(p: Float32Array, m: Float32Array, v: Float32Array): void {
    const w = this.width
    this.slot.fill(-1)
    this.base = p
    this.scale = 1
    const active: number[] = []
    for (let r = 0; r < this.rows; r++) {
      for (let c = r * w; c < (r + 1) * w; c++) {
        if (m[c] !== 0 || v[c] !== 0) {
          active.push(r)
          break
        }
      }
    }
    active.forEach((r, s) => (this.slot[r] = s))
    this.order = active
    const take = (a: Float32Array) => {
      const b = new Float32Array(active.length * w)
      active.forEach((r, s) => b.set(a.subarray(r * w, (r + 1) * w), s * w))
      return b
    }
    this.p = take(p)
    this.m = take(m)
    this.v = take(v)
  }
}
