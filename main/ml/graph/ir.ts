// The tensor IR that training and inference graphs are built in: typed tensors with symbolic dims,
// each produced by an input, a weight, a constant or one op node. Ops live in ops.ts / nn.ts.

export type DType = 'float32' | 'int64' | 'bool'
/** A dimension: a number, or a symbolic name ('batch', 'seq') fixed only when the graph runs. */
export type Dim = number | string

export type AttrValue = number | number[] | string
export type Attrs = Record<string, AttrValue>

export type Source =
  | { kind: 'input'; name: string }
  | { kind: 'param'; name: string; init: Float32Array }
  | { kind: 'constant'; data: Float32Array | BigInt64Array | Uint8Array }
  | { kind: 'op'; op: string; inputs: Tensor[]; attrs: Attrs }

/** A value in a Graph. Immutable; create with Graph methods or the op functions. */
export class Tensor {
  constructor(
    readonly id: number,
    readonly dtype: DType,
    readonly shape: readonly Dim[],
    readonly graph: Graph,
    /** Where the value comes from (internal to the graph package). */
    readonly source: Source,
  ) {}
  get rank(): number {
    return this.shape.length
  }
  /** True when every dim is a number. */
  get isStatic(): boolean {
    return this.shape.every((d) => typeof d === 'number')
  }
  toString(): string {
    const s = this.source
    const what = s.kind === 'op' ? s.op : s.kind === 'constant' ? 'const' : s.name
    return `${what}#${this.id}:${this.dtype}[${this.shape.join(',')}]`
  }
}

/** Owns the tensors of one model; tensors of different graphs never mix. */
export class Graph {
  private nextId = 0
  readonly params: Tensor[] = []

  private make(dtype: DType, shape: readonly Dim[], source: Source): Tensor {
    return new Tensor(this.nextId++, dtype, [...shape], this, source)
  }

  /** A value fed at run time (a batch input). */
  input(name: string, dtype: DType, shape: Dim[]): Tensor {
    return this.make(dtype, shape, { kind: 'input', name })
  }

  /** A weight. Trainable (graph input, updated by the train step) or frozen (initializer) is chosen when emitting. */
  param(name: string, shape: number[], init: Float32Array): Tensor {
    if (init.length !== numel(shape)) {
      throw new Error(`param ${name}: ${init.length} values for shape [${shape.join(', ')}]`)
    }
    if (this.params.some((p) => (p.source as { name: string }).name === name)) {
      throw new Error(`param ${name} is declared twice`)
    }
    const t = this.make('float32', shape, { kind: 'param', name, init })
    this.params.push(t)
    return t
  }

  constant(
    values: number[] | Float32Array | BigInt64Array,
    shape: number[],
    dtype?: DType,
  ): Tensor {
    const dt: DType = dtype ?? (values instanceof BigInt64Array ? 'int64' : 'float32')
    if (values.length !== numel(shape)) {
      throw new Error(`constant: ${values.length} values for shape [${shape.join(', ')}]`)
    }
    let data: Float32Array | BigInt64Array | Uint8Array
    if (dt === 'float32') data = Float32Array.from(values as ArrayLike<number>, Number)
    else if (dt === 'int64')
      data = BigInt64Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v))
    else data = Uint8Array.from(values as ArrayLike<number>, (v) => (Number(v) ? 1 : 0))
    return this.make(dt, shape, { kind: 'constant', data })
  }

  /** Internal: a tensor produced by an op node (used by the op functions). */
  node(op: string, inputs: Tensor[], attrs: Attrs, dtype: DType, shape: readonly Dim[]): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`${op}: inputs come from different graphs`)
    }
    return this.make(dtype, shape, { kind: 'op', op, inputs, attrs })
  }
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** Name of an input or param tensor. */
export function nameOf(t: Tensor): string {
  if (t.source.kind === 'input' || t.source.kind === 'param') return t.source.name
  throw new Error(`${t} has no name (only inputs and params do)`)
}

export function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32'
}

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
