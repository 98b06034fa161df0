// The tensor IR that training and inference graphs are built in: typed tensors with symbolic dims,
// each produced by an input, a weight, a constant or one op node (an OpType of op-defs/registry.ts).
import { type OpType, opDef } from './op-defs/registry'

export type DType = 'float32' | 'int64' | 'int32' | 'bool'
/** A constant's values as stored (little-endian raw data of its TensorProto). */
export type ConstantData = Float32Array | BigInt64Array | Int32Array | Uint8Array
/** A dimension: a number, or a symbolic name ('batch', 'seq') fixed only when the graph runs. */
export type Dim = number | string

export type AttrValue = number | number[] | string
export type Attrs = Record<string, AttrValue>

export type Source =
  | { kind: 'input'; name: string }
  | { kind: 'param'; name: string; init: Float32Array }
  | { kind: 'constant'; data: ConstantData }
  | { kind: 'op'; op: OpType; inputs: Tensor[]; attrs: Attrs }

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
    let data: ConstantData
    if (dt === 'float32') data = Float32Array.from(values as ArrayLike<number>, Number)
    else if (dt === 'int64')
      data = BigInt64Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v))
    // int32 constants wrap mod 2^32 like the int32 arithmetic they feed (dropout's hash).
    else if (dt === 'int32')
      data = Int32Array.from(values as ArrayLike<number | bigint>, (v) =>
        Number(BigInt.asIntN(32, BigInt(v))),
      )
    else data = Uint8Array.from(values as ArrayLike<number>, (v) => (Number(v) ? 1 : 0))
    return this.make(dt, shape, { kind: 'constant', data })
  }

  /**
   * A tensor produced by one `type` node; its dtype and shape come from the op's shape rule.
   * `given`: the output shape when the op's shape input is computed at run time (see ShapeRule).
   * Builders in ops.ts and nn.ts wrap this; models call it only for ops without a builder.
   */
  op(type: OpType, inputs: Tensor[], attrs: Attrs = {}, given?: readonly Dim[]): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`${type}: inputs come from different graphs`)
    }
    const out = opDef(type).shape(inputs, attrs, given)
    return this.make(out.dtype, out.shape, { kind: 'op', op: type, inputs, attrs })
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
