// Shape arithmetic shared by the op definitions' shape rules and the op builders: numpy
// broadcasting, axis normalisation and symbolic dim products.
import type { Dim, Tensor } from './ir'

/** numpy broadcasting of two shapes; symbolic dims are assumed compatible with each other. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], op = 'broadcast'): Dim[] {
  const n = Math.max(a.length, b.length)
  const out: Dim[] = []
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]
    if (da === db) out.push(da)
    else if (da === 1) out.push(db)
    else if (db === 1) out.push(da)
    else if (typeof da === 'string' && typeof db === 'number') out.push(db)
    else if (typeof db === 'string' && typeof da === 'number') out.push(da)
    else if (typeof da === 'string' && typeof db === 'string') out.push(da)
    else throw new Error(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`)
  }
  return out
}

/** Resolve a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, op = 'op'): number {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`)
  return a
}

/** The product of dims as a Dim: a number when all are static, else a symbolic 'a*b' name. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1
  const syms: string[] = []
  for (const d of dims) {
    if (typeof d === 'number') n *= d
    else syms.push(d)
  }
  if (syms.length === 0) return n
  return n === 1 ? syms.join('*') : [String(n), ...syms].join('*')
}

/** The values of an int64 constant tensor (Slice bounds, Reshape targets, OneHot depth). */
export function int64Values(t: Tensor): number[] {
  const src = t.source
  if (src.kind !== 'constant' || !(src.data instanceof BigInt64Array)) {
    throw new Error(`${t} is not an int64 constant`)
  }
  return Array.from(src.data, Number)
}

/** The dims a shape tensor holds, as far as they are known when building. */
export function knownShapeValue(s: Tensor): Dim[] {
  const src = s.source
  if (src.kind === 'op' && src.op === 'Shape') return [...src.inputs[0].shape]
  if (src.kind === 'constant' && src.data instanceof BigInt64Array)
    return Array.from(src.data, Number)
  const n = s.shape[0]
  if (typeof n !== 'number') throw new Error('expand: the shape tensor must have a known length')
  return Array.from({ length: n }, (_, i) => `?expand${s.id}_${i}`)
}

/** Reshape's output dims for a constant target (0 copies the input dim, -1 is inferred). */
export function reshapeDims(input: readonly Dim[], target: readonly number[]): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 ? input[i] : d))
  const inferAt = target.indexOf(-1)
  if (inferAt >= 0) out[inferAt] = inferDim(input, out, inferAt)
  return out
}

function inferDim(input: readonly Dim[], out: Dim[], at: number): Dim {
  const known = out.filter((_, i) => i !== at)
  const inNum = input.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1)
  const outNum = known.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1)
  const inSyms = input.filter((d): d is string => typeof d === 'string')
  const outSyms = known.filter((d): d is string => typeof d === 'string')
  const rest = [...inSyms]
  for (const s of outSyms) {
    const k = rest.indexOf(s)
    if (k < 0) return `?${out.length}_${at}`
    rest.splice(k, 1)
  }
  if (inNum % outNum !== 0) {
    if (rest.length === 0)
      throw new Error(`reshape: [${input.join(', ')}] cannot become [${out.join(', ')}]`)
    return `?${out.length}_${at}`
  }
  const left = inNum / outNum
  return dimProduct(left !== 1 || rest.length === 0 ? [left, ...rest] : rest)
}
