// Lowers IR tensors to an ONNX GraphProto (only what the outputs need: dead branches are never
// emitted) and encodes the ModelProto. Frozen params become initializers, trainable ones inputs.
import { type AttrValue, type ConstantData, type DType, type Dim, Tensor, nameOf } from './ir'
import { type OpType, opDef } from './op-defs/registry'
import {
  ATTR_TYPE,
  type AttributeObj,
  type DimObj,
  type GraphProtoObj,
  type NodeObj,
  ONNX_DTYPE,
  type TensorProtoObj,
  type ValueInfoObj,
  encodeModel,
} from './onnx-proto'

export const DEFAULT_OPSET = 18

export interface EmitOptions {
  /** Graph inputs in order (batch inputs). */
  inputs: Tensor[]
  outputs: { name: string; tensor: Tensor }[]
  /** Params that become graph inputs (after `inputs`, in this order); other params are initializers. */
  trainable?: Tensor[]
  opset?: number
}

/** Emit a complete ONNX model (ModelProto bytes) computing the outputs from the inputs. */
export function emitOnnx(opts: EmitOptions): Uint8Array {
  const opset = opts.opset ?? DEFAULT_OPSET
  const graph = lowerGraph({ ...opts, name: 'cts', opset })
  return encodeModel(graph, opset)
}

export interface LowerOptions extends EmitOptions {
  name: string
  opset: number
  /** Tensors read by name from an enclosing graph (Loop bodies); never declared here. */
  outerScope?: Map<Tensor, string>
  /** Emit the key wherever it is used as if it were the value (feeds a body from outer values). */
  substitute?: Map<Tensor, Tensor>
  /** Prefix for every name local to this graph, so a subgraph never shadows its parent. */
  prefix?: string
  /** Declared inputs that are not IR tensors (the Loop's iteration count and condition). */
  leadingInputs?: ValueInfoObj[]
  /**
   * Declared shapes that differ from the IR's, for inputs and outputs: a table fed only some of its
   * rows (train-step.ts) is declared with a symbolic row count, its IR shape stays the full one.
   */
  declaredShapes?: Map<Tensor, readonly Dim[]>
  /** Extra outputs produced by `extraNodes` (declared before the IR outputs). */
  leadingOutputs?: ValueInfoObj[]
  extraNodes?: NodeObj[]
}

/** Lower IR tensors to a GraphProto object (used directly for Loop bodies). */
export function lowerGraph(opts: LowerOptions): GraphProtoObj {
  const prefix = opts.prefix ?? ''
  const trainable = new Set(opts.trainable ?? [])
  const declared = new Set([...opts.inputs, ...trainable])
  const names = new Map<Tensor, string>()
  const nodes: NodeObj[] = [...(opts.extraNodes ?? [])]
  const initializers: TensorProtoObj[] = []
  const constantNames = new Map<string, string>()
  const visiting = new Set<Tensor>()
  // An op's result that is a graph output takes the output's name directly: an Identity would
  // copy it (every updated weight and moment, each step).
  const outputNameOf = new Map<Tensor, string>()
  for (const o of opts.outputs) {
    const t = opts.substitute?.get(o.tensor) ?? o.tensor
    if (t.source.kind === 'op' && !outputNameOf.has(t) && !opts.outerScope?.has(t)) {
      outputNameOf.set(t, o.name)
    }
  }

  for (const [t, n] of opts.outerScope ?? []) names.set(t, n)
  for (const t of declared) {
    if (t.source.kind !== 'input' && t.source.kind !== 'param') {
      throw new Error(`${t} cannot be a graph input: only inputs and params can`)
    }
    names.set(t, prefix + nameOf(t))
  }

  // Iterative post-order walk: deep BERT graphs would overflow a recursive one.
  const visit = (root: Tensor): string => {
    const stack: Tensor[] = [root]
    while (stack.length) {
      const t0 = stack[stack.length - 1]
      const t = opts.substitute?.get(t0) ?? t0
      if (names.has(t)) {
        if (t !== t0) names.set(t0, names.get(t)!)
        stack.pop()
        continue
      }
      const src = t.source
      if (src.kind === 'input') {
        throw new Error(`input '${src.name}' is needed by the outputs but not listed in inputs`)
      }
      if (src.kind === 'param') {
        const name = prefix + src.name
        initializers.push(tensorProto(name, t.shape as number[], 'float32', src.init))
        names.set(t, name)
        continue
      }
      if (src.kind === 'constant') {
        names.set(t, addConstant(t, src.data))
        continue
      }
      const pending = src.inputs.filter((i) => !names.has(opts.substitute?.get(i) ?? i))
      if (pending.length) {
        if (visiting.has(t)) throw new Error(`cycle at ${t}`)
        visiting.add(t)
        stack.push(...pending)
        continue
      }
      visiting.delete(t)
      const name = outputNameOf.get(t) ?? `${prefix}${src.op}_${t.id}`
      const inNames = src.inputs.map((i) => names.get(opts.substitute?.get(i) ?? i)!)
      if (opDef(src.op).onnx?.alias) {
        names.set(t, `${inNames[0]}:${src.attrs.index}`)
        continue
      }
      nodes.push(...lowerNode(src.op, inNames, name, src.attrs, opts.opset, addInt64, addFloat))
      names.set(t, name)
    }
    return names.get(opts.substitute?.get(root) ?? root)!
  }

  function addConstant(t: Tensor, data: ConstantData): string {
    const small = data.length <= 16
    const key = small
      ? `${t.dtype}|${t.shape.join(',')}|${Array.from(data as ArrayLike<number | bigint>).join(',')}`
      : ''
    if (small && constantNames.has(key)) return constantNames.get(key)!
    const name = `${prefix}c${t.id}`
    initializers.push(tensorProto(name, t.shape as number[], t.dtype, data))
    if (small) constantNames.set(key, name)
    return name
  }

  function addInt64(values: number[]): string {
    const key = `int64|${values.length}|${values.join(',')}`
    const known = constantNames.get(key)
    if (known) return known
    const name = `${prefix}axes_${constantNames.size}`
    initializers.push(
      tensorProto(name, [values.length], 'int64', BigInt64Array.from(values, BigInt)),
    )
    constantNames.set(key, name)
    return name
  }

  function addFloat(value: number): string {
    const key = `float|scalar|${value}`
    const known = constantNames.get(key)
    if (known) return known
    const name = `${prefix}scalar_${constantNames.size}`
    initializers.push(tensorProto(name, [], 'float32', Float32Array.of(value)))
    constantNames.set(key, name)
    return name
  }

  const declaredShape = (t: Tensor) => opts.declaredShapes?.get(t) ?? t.shape
  const outputs: ValueInfoObj[] = [...(opts.leadingOutputs ?? [])]
  for (const o of opts.outputs) {
    const src = visit(o.tensor)
    if (src !== o.name) {
      nodes.push({
        name: `${prefix}out_${o.name}`,
        op_type: 'Identity',
        input: [src],
        output: [o.name],
      })
    }
    outputs.push(valueInfo(o.name, o.tensor.dtype, declaredShape(o.tensor)))
  }
  const inputs = [
    ...(opts.leadingInputs ?? []),
    ...[...declared].map((t) => valueInfo(names.get(t)!, t.dtype, declaredShape(t))),
  ]
  const seen = new Set<string>()
  for (const v of [...inputs, ...outputs]) {
    if (seen.has(v.name)) throw new Error(`graph input or output name '${v.name}' is used twice`)
    seen.add(v.name)
  }
  return { name: opts.name, node: nodes, initializer: initializers, input: inputs, output: outputs }
}

function lowerNode(
  op: OpType,
  inputs: string[],
  output: string,
  attrs: Record<string, AttrValue>,
  opset: number,
  addInt64: (v: number[]) => string,
  addFloat: (v: number) => string,
): NodeObj[] {
  const onnx = opDef(op).onnx ?? {}
  if (opset < (onnx.sinceOpset ?? 0)) {
    throw new Error(`${op} needs ONNX opset ${onnx.sinceOpset} or later (asked for ${opset})`)
  }
  if (onnx.expand) return onnx.expand(inputs[0], output, addFloat)
  const ins = [...inputs]
  const attribute: AttributeObj[] = []
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'axes' && opset >= (onnx.axesAsInputSince ?? Infinity)) {
      ins.push(addInt64(v as number[]))
    } else if (onnx.dtypeAttrs?.includes(k)) {
      attribute.push({ name: k, type: ATTR_TYPE.INT, i: ONNX_DTYPE[v as DType] })
    } else if (onnx.floatAttrs?.includes(k)) {
      attribute.push({ name: k, type: ATTR_TYPE.FLOAT, f: v as number })
    } else attribute.push(attr(k, v))
  }
  const extra = Array.from({ length: onnx.extraOutputs ?? 0 }, (_, i) => `${output}:${i + 1}`)
  return [{ name: output, op_type: op, input: ins, output: [output, ...extra], attribute }]
}

function attr(name: string, v: AttrValue): AttributeObj {
  if (typeof v === 'number') return { name, type: ATTR_TYPE.INT, i: v }
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) }
  return { name, type: ATTR_TYPE.INTS, ints: v }
}

/** A TensorProto with little-endian raw data. */
export function tensorProto(
  name: string,
  dims: number[],
  dtype: DType,
  data: ConstantData,
): TensorProtoObj {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return { name, dims, data_type: ONNX_DTYPE[dtype], raw_data: raw }
}

/** A ValueInfo; symbolic dims become dim_param, dims unknown when building stay unnamed. */
export function valueInfo(name: string, dtype: DType, shape?: readonly Dim[]): ValueInfoObj {
  const tensor_type: ValueInfoObj['type']['tensor_type'] = { elem_type: ONNX_DTYPE[dtype] }
  if (shape) {
    tensor_type.shape = {
      dim: shape.map((d): DimObj =>
        typeof d === 'number'
          ? { dim_value: d }
          : /^[A-Za-z_][\w]*$/.test(d)
            ? { dim_param: d }
            : {},
      ),
    }
  }
  return { name, type: { tensor_type } }
}
