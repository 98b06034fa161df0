// Limited-memory BFGS for smooth convex objectives whose value and gradient come from elsewhere
// (here: an ONNX graph over all training texts). Used to fit the baseline's logistic regression
// to convergence, as scikit-learn's default solver does, instead of a fixed number of SGD epochs.
// History vectors are float32 (memory: 2 × memory × parameters × 4 bytes); sums are float64.

export interface Evaluation {
  value: number
  gradient: Float32Array
}

export interface LbfgsOptions {
  /** Most iterations (each one or more evaluations). */
  maxIterations: number
  /** Stop when the largest gradient component is at most this (scikit-learn's gtol). */
  gradientTolerance: number
  /** Stop when an iteration lowers the value by at most this, relative (scikit-learn's ftol). */
  valueTolerance: number
  /** Corrections kept. */
  memory: number
  /** Checked between evaluations: throw to stop (cancellation). */
  checkpoint?: () => void
}

export interface LbfgsResult {
  x: Float32Array
  value: number
  iterations: number
  evaluations: number
  converged: boolean
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

function maxAbs(a: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]))
  return m
}

/** Minimise f from x0 (not modified). Line search: backtracking on the Armijo condition. */
export async function minimizeLbfgs(
  f: (x: Float32Array) => Promise<Evaluation>,
  x0: Float32Array,
  opts: LbfgsOptions,
): Promise<LbfgsResult> {
  const n = x0.length
  let x: Float32Array = Float32Array.from(x0)
  let evaluations = 1
  let { value, gradient: g } = await f(x)
  const s: Float32Array[] = []
  const y: Float32Array[] = []
  const rho: number[] = []
  const direction = new Float32Array(n)
  const alpha: number[] = []
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    if (maxAbs(g) <= opts.gradientTolerance)
      return { x, value, iterations: iter, evaluations, converged: true }
    // Two-loop recursion: direction = −H g.
    for (let i = 0; i < n; i++) direction[i] = -g[i]
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(s[k], direction)
      const a = alpha[k]
      const yk = y[k]
      for (let i = 0; i < n; i++) direction[i] -= a * yk[i]
    }
    if (s.length > 0) {
      const last = s.length - 1
      const gamma = dot(s[last], y[last]) / dot(y[last], y[last])
      for (let i = 0; i < n; i++) direction[i] *= gamma
    }
    for (let k = 0; k < s.length; k++) {
      const b = rho[k] * dot(y[k], direction)
      const c = alpha[k] - b
      const sk = s[k]
      for (let i = 0; i < n; i++) direction[i] += c * sk[i]
    }
    let slope = dot(g, direction)
    if (slope >= 0) {
      // Not a descent direction (float32 history gone stale): restart from steepest descent.
      s.length = y.length = rho.length = 0
      for (let i = 0; i < n; i++) direction[i] = -g[i]
      slope = dot(g, direction)
    }
    // The first step of a fresh history is scaled to unit length; later ones try the full step.
    let step = s.length === 0 ? 1 / Math.max(1e-12, Math.sqrt(-slope)) : 1
    let next: Float32Array
    let evaluation: Evaluation
    for (;;) {
      opts.checkpoint?.()
      next = new Float32Array(n)
      for (let i = 0; i < n; i++) next[i] = x[i] + step * direction[i]
      evaluation = await f(next)
      evaluations++
      if (evaluation.value <= value + 1e-4 * step * slope || step < 1e-10) break
      step /= 2
    }
    const sNew = new Float32Array(n)
    const yNew = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      sNew[i] = next[i] - x[i]
      yNew[i] = evaluation.gradient[i] - g[i]
    }
    const sy = dot(sNew, yNew)
    // Keep the pair only where curvature is positive, so H stays positive definite.
    if (sy > 1e-12 * Math.sqrt(dot(yNew, yNew) * dot(sNew, sNew))) {
      if (s.length === opts.memory) {
        s.shift()
        y.shift()
        rho.shift()
      }
      s.push(sNew)
      y.push(yNew)
      rho.push(1 / sy)
    }
    const drop = value - evaluation.value
    x = next
    g = evaluation.gradient
    const previous = value
    value = evaluation.value
    if (drop <= opts.valueTolerance * Math.max(Math.abs(previous), Math.abs(value), 1))
      return { x, value, iterations: iter + 1, evaluations, converged: true }
  }
  return { x, value, iterations: opts.maxIterations, evaluations, converged: false }
}
