// Finite-difference gradient checker: builds loss = sum(f(x…) * r) for a fixed random r, runs the
// autodiff gradient in onnxruntime, and compares it with central differences of the same loss.
import * as ort from 'onnxruntime-node'
import {
  Graph,
  type Tensor,
  type Dim,
  emitOnnx,
  grad,
  mul,
  reduceSum,
  topoOrder,
} from '../../../../main/ml/graph'

/** Deterministic PRNG (mulberry32) so every run checks the same points. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface CheckInput {
  /** Declared shape (may hold symbolic dims). */
  shape: Dim[]
  /** Concrete shape fed at run time (defaults to `shape`). */
  feed?: number[]
  /** Values; default uniform in [lo, hi). */
  values?: number[]
  lo?: number
  hi?: number
  /** Keep |x| >= gap (for kinks such as relu/abs at 0). */
  gap?: number
}

export interface CheckResult {
  analytic: Float32Array[]
  numeric: Float32Array[]
  maxError: number
  /** Op types between the inputs and the checked output (what this check covered). */
  ops: Set<string>
}

const feedShape = (i: CheckInput) => i.feed ?? (i.shape as number[])

/** Returns the analytic and numeric gradients and the worst |a - n| / (1 + |a|). */
export async function checkGrad(
  build: (xs: Tensor[], g: Graph) => Tensor,
  inputs: CheckInput[],
  seed = 1,
  eps = 5e-3,
): Promise<CheckResult> {
  const rand = rng(seed)
  const values = inputs.map((inp) => {
    const n = feedShape(inp).reduce((a, b) => a * b, 1)
    if (inp.values) return Float32Array.from(inp.values)
    const lo = inp.lo ?? -1.5
    const hi = inp.hi ?? 1.5
    return Float32Array.from({ length: n }, () => {
      let v = lo + (hi - lo) * rand()
      if (inp.gap && Math.abs(v) < inp.gap) v = v < 0 ? -inp.gap : inp.gap
      return v
    })
  })
  const g = new Graph()
  const xs = inputs.map((inp, i) => g.input(`x${i}`, 'float32', inp.shape))
  const out = build(xs, g)
  const feeds = (vals: Float32Array[]) =>
    Object.fromEntries(
      vals.map((v, i) => [`x${i}`, new ort.Tensor('float32', v, feedShape(inputs[i]))]),
    )

  const fwd = await ort.InferenceSession.create(
    emitOnnx({ inputs: xs, outputs: [{ name: 'out', tensor: out }] }),
  )
  const outShape = [...(await fwd.run(feeds(values))).out.dims]
  const r = g.input(
    'r',
    'float32',
    out.shape.map((d, i) => (typeof d === 'number' ? d : `r${i}`)),
  )
  const rVal = Float32Array.from(
    { length: outShape.reduce((a, b) => a * b, 1) },
    () => rand() * 2 - 1,
  )
  const loss = reduceSum(mul(out, r))
  const grads = grad(loss, xs)
  const gradModel = emitOnnx({
    inputs: [...xs, r],
    outputs: [
      { name: 'loss', tensor: loss },
      ...grads.map((t, i) => ({ name: `g${i}`, tensor: t })),
    ],
  })
  const lossModel = emitOnnx({ inputs: [...xs, r], outputs: [{ name: 'loss', tensor: loss }] })
  const [gs, ls] = await Promise.all([
    ort.InferenceSession.create(gradModel),
    ort.InferenceSession.create(lossModel),
  ])
  const rFeed = { r: new ort.Tensor('float32', rVal, outShape) }
  const res = await gs.run({ ...feeds(values), ...rFeed })
  const analytic = grads.map((_, i) => {
    const t = res[`g${i}`]
    const expected = feedShape(inputs[i])
    if (t.dims.join(',') !== expected.join(',')) {
      throw new Error(`gradient ${i} has shape [${t.dims}] but the input is [${expected}]`)
    }
    return t.data as Float32Array
  })
  const lossAt = async (vals: Float32Array[]) =>
    ((await ls.run({ ...feeds(vals), ...rFeed })).loss.data as Float32Array)[0]
  const numeric: Float32Array[] = []
  let maxError = 0
  for (let i = 0; i < values.length; i++) {
    const num = new Float32Array(values[i].length)
    for (let k = 0; k < values[i].length; k++) {
      const plus = values.map((v) => v.slice())
      const minus = values.map((v) => v.slice())
      plus[i][k] += eps
      minus[i][k] -= eps
      // Use the perturbation actually representable in float32.
      const h = plus[i][k] - minus[i][k]
      num[k] = ((await lossAt(plus)) - (await lossAt(minus))) / h
      maxError = Math.max(
        maxError,
        Math.abs(num[k] - analytic[i][k]) / (1 + Math.abs(analytic[i][k])),
      )
    }
    numeric.push(num)
  }
  await Promise.all([fwd.release(), gs.release(), ls.release()])
  const ops = new Set(
    topoOrder([out]).flatMap((t) => (t.source.kind === 'op' ? [t.source.op] : [])),
  )
  return { analytic, numeric, maxError, ops }
}
