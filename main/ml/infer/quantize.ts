// int8 dynamic quantization of an inference model we emitted: every MatMul by a constant weight
// gets int8 weights (symmetric per output column) and activations quantized on each call — one
// scale per tensor (com.microsoft DynamicQuantizeMatMul, bias folded in) or, for GELU's output,
// one asymmetric scale per token (MatMulInteger) — see ActivationScaling. Matmuls of two
// activations (attention scores, attention × values) stay float.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLE_MODEL, BUNDLE_MODEL_INT8 } from '../../shared'
import { artifactKeyFor, readArtifact, writeArtifactAtomic } from '../../shared/artifact-crypto'
import { decodeModel, encodeModel } from '../graph'
import {
  ATTR_TYPE,
  type GraphProtoObj,
  type NodeObj,
  ONNX_DTYPE,
  type TensorProtoObj,
} from '../graph/onnx-proto'

/** The quantization a model is served with. */
export type Quantization = 'int8' | 'none'
export const QUANTIZATIONS: readonly Quantization[] = ['int8', 'none']

/**
 * The int8 model of a run folder: its saved file (BUNDLE_MODEL_INT8, written by the train job's
 * check), else quantized now from model.onnx (a few seconds and ~250 MB more at peak).
 */
export function int8ModelBytes(dir: string): Uint8Array {
  const saved = join(dir, BUNDLE_MODEL_INT8)
  if (existsSync(saved)) return readArtifact(saved)
  return quantizeModelInt8(readArtifact(join(dir, BUNDLE_MODEL))).bytes
}

/** Quantize the run folder's model.onnx into model.int8.onnx (atomically; once). */
export function saveInt8Model(dir: string): void {
  const saved = join(dir, BUNDLE_MODEL_INT8)
  if (existsSync(saved)) return
  const bytes = quantizeModelInt8(readArtifact(join(dir, BUNDLE_MODEL))).bytes
  // Encrypted like model.onnx in an encrypted workspace (issue #15 point 2).
  writeArtifactAtomic(saved, bytes, artifactKeyFor(saved))
}

/** ONNX TensorProto.DataType of int8 and uint8 (onnx.proto), not among the emitter's dtypes. */
const ONNX_INT8 = 3
const ONNX_UINT8 = 2
const ONNX_INT32 = 6
const MS_DOMAIN = 'com.microsoft'

export interface QuantizeStats {
  /** MatMuls replaced by DynamicQuantizeMatMul. */
  quantized: number
  /** Of those, how many took the following bias Add in. */
  biasFused: number
  /** MatMuls left float (both inputs computed). */
  keptFloat: number
}

interface FloatMatrix {
  rows: number
  cols: number
  /** Row-major [rows × cols], or, with `transposed`, the row-major [cols × rows] it is the Tᵀ of. */
  data: Float32Array
  transposed?: boolean
}

function floatData(t: TensorProtoObj): Float32Array {
  const raw = t.raw_data
  // A view where the bytes are 4-aligned (no copy of the weights); else a copy.
  if (raw.byteOffset % 4 === 0)
    return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4)
  const out = new Float32Array(raw.byteLength / 4)
  new Uint8Array(out.buffer).set(raw)
  return out
}

/**
 * Symmetric int8 per column of B [K × N] (MatMul's right-hand side): scale = max|column| / 127,
 * zero point 0, values rounded and clamped to [-127, 127] (−128 unused keeps the range symmetric).
 * A `transposed` B is read from W [N × K] as stored (our linear layers), without a transposed copy.
 */
export function quantizeColumns(b: FloatMatrix): { q: Int8Array; scales: Float32Array } {
  const { rows, cols, data } = b
  const at = b.transposed
    ? (r: number, c: number) => c * rows + r
    : (r: number, c: number) => r * cols + c
  const scales = new Float32Array(cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.abs(data[at(r, c)])
      if (v > scales[c]) scales[c] = v
    }
  }
  // An all-zero column keeps scale 1 (any scale represents it exactly; 0 would divide by zero).
  for (let c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / 127 : 1
  const q = new Int8Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.round(data[at(r, c)] / scales[c])
      q[r * cols + c] = v > 127 ? 127 : v < -127 ? -127 : v
    }
  }
  return { q, scales }
}

function bytesOf(a: Float32Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

/** Append an opset_import entry (ModelProto field 8) to encoded model bytes: protobuf merges it. */
export function withOpsetImport(model: Uint8Array, domain: string, version: number): Uint8Array {
  const name = new TextEncoder().encode(domain)
  // OperatorSetIdProto { domain = 1 (string); version = 2 (int64) }; all lengths < 128 here.
  const entry = [0x0a, name.length, ...name, 0x10, version]
  const field = [0x42, entry.length, ...entry]
  const out = new Uint8Array(model.length + field.length)
  out.set(model)
  out.set(field, model.length)
  return out
}

/**
 * The weight a MatMul multiplies by, as B [K × N], when its second input is a 2-D float
 * initializer or a Transpose(perm [1, 0]) of one (our linear layers: x · Wᵀ with W [out, in]).
 */
function constantRight(
  node: NodeObj,
  inits: Map<string, TensorProtoObj>,
  producer: Map<string, NodeObj>,
): { matrix: FloatMatrix; weight: string } | null {
  const name = node.input[1]
  const direct = inits.get(name)
  if (direct) {
    if (direct.data_type !== ONNX_DTYPE.float32 || direct.dims.length !== 2) return null
    return {
      matrix: { rows: direct.dims[0], cols: direct.dims[1], data: floatData(direct) },
      weight: name,
    }
  }
  const t = producer.get(name)
  if (!t || t.op_type !== 'Transpose') return null
  const w = inits.get(t.input[0])
  if (!w || w.data_type !== ONNX_DTYPE.float32 || w.dims.length !== 2) return null
  const perm = t.attribute?.find((a) => a.name === 'perm')?.ints
  if (perm && !(perm[0] === 1 && perm[1] === 0)) return null
  const [out, inp] = w.dims
  return {
    matrix: { rows: inp, cols: out, data: floatData(w), transposed: true },
    weight: t.input[0],
  }
}

/** The bias of `mm`'s only consumer when that is an Add of a float [N] initializer. */
function biasAdd(
  output: string,
  consumers: Map<string, NodeObj[]>,
  inits: Map<string, TensorProtoObj>,
  graphOutputs: Set<string>,
  cols: number,
): { add: NodeObj; bias: string } | null {
  const users = consumers.get(output) ?? []
  if (users.length !== 1 || graphOutputs.has(output)) return null
  const add = users[0]
  if (add.op_type !== 'Add' || add.input.length !== 2) return null
  const other = add.input[0] === output ? add.input[1] : add.input[0]
  const b = inits.get(other)
  if (!b || b.data_type !== ONNX_DTYPE.float32 || b.dims.length !== 1 || b.dims[0] !== cols)
    return null
  return { add, bias: other }
}

/**
 * Quantize a float ONNX model (as our emitter writes it) to int8 dynamic quantization. Returns the
 * new model bytes and what changed; a model without weight matmuls comes back unchanged in effect.
 */
/**
 * How activations are scaled to int8 on each call: 'tensor' (DynamicQuantizeMatMul: one uint8
 * scale and zero point per input tensor, the whole batch), 'token' (one symmetric scale per
 * token row, max|row| / 127, as standard ops + MatMulInteger: a few outlier tokens — in MiniLM
 * some reach 20–30 in one channel against ~3 for most — no longer coarsen every other token's
 * grid) or 'token-asym' (per token row [min, max] over 255 steps with its own zero point,
 * corrected exactly in int32 by zero point × the weight's column sums: GELU's output is one-sided,
 * so symmetric scaling would waste half the levels). onnxruntime has no per-row zero point or
 * per-token dynamic op, hence the standard ops around MatMulInteger.
 */
export type ActivationScaling = 'tensor' | 'token' | 'token-asym'

const mk = (
  op_type: string,
  input: string[],
  output: string,
  attribute?: NodeObj['attribute'],
): NodeObj => ({
  op_type,
  input,
  output: [output],
  ...(attribute ? { attribute } : {}),
})

/** Per-token int8 of activation `x` as uint8 (+128, zero point 128) and its row scales. */
function tokenQuantize(
  x: string,
  out: NodeObj[],
  inits: TensorProtoObj[],
  id: number,
): { q: string; s: string } {
  // Short names (tq0, tq1 …): on a tiny model long ones would outweigh the int8 saving.
  const p = `tq${id}`
  if (!inits.some((t) => t.name === 'tq.axes')) {
    inits.push(
      { name: 'tq.axes', dims: [1], data_type: ONNX_DTYPE.int64, raw_data: bytesOf64([-1n]) },
      {
        name: 'tq.inv127',
        dims: [],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(new Float32Array([1 / 127])),
      },
      {
        name: 'tq.eps',
        dims: [],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(new Float32Array([1e-12])),
      },
      {
        name: 'tq.128',
        dims: [],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(new Float32Array([128])),
      },
      { name: 'tq.zp', dims: [], data_type: ONNX_UINT8, raw_data: new Uint8Array([128]) },
      { name: 'tq.wzp', dims: [], data_type: ONNX_INT8, raw_data: new Uint8Array([0]) },
    )
  }
  out.push(
    mk('Abs', [x], `${p}.abs`),
    mk('ReduceMax', [`${p}.abs`, 'tq.axes'], `${p}.max`, [
      { name: 'keepdims', type: ATTR_TYPE.INT, i: 1 },
    ]),
    mk('Mul', [`${p}.max`, 'tq.inv127'], `${p}.s0`),
    mk('Max', [`${p}.s0`, 'tq.eps'], `${p}.s`),
    mk('Div', [x, `${p}.s`], `${p}.div`),
    mk('Round', [`${p}.div`], `${p}.round`),
    mk('Add', [`${p}.round`, 'tq.128'], `${p}.shift`),
    mk('Cast', [`${p}.shift`], `${p}.q`, [{ name: 'to', type: ATTR_TYPE.INT, i: ONNX_UINT8 }]),
  )
  return { q: `${p}.q`, s: `${p}.s` }
}

/**
 * Per-token asymmetric uint8 of `x`: each row's [min, max] (widened to hold 0) over 255 steps,
 * its zero point as int32 [rows, 1] for the exact correction zp · colsum(B) after MatMulInteger.
 */
function tokenQuantizeAsym(
  x: string,
  out: NodeObj[],
  inits: TensorProtoObj[],
  id: number,
): { q: string; s: string; zp: string } {
  const p = `ta${id}`
  if (!inits.some((t) => t.name === 'ta.axes')) {
    const f = (name: string, v: number): TensorProtoObj => ({
      name,
      dims: [],
      data_type: ONNX_DTYPE.float32,
      raw_data: bytesOf(new Float32Array([v])),
    })
    inits.push(
      { name: 'ta.axes', dims: [1], data_type: ONNX_DTYPE.int64, raw_data: bytesOf64([-1n]) },
      f('ta.0', 0),
      f('ta.255', 255),
      f('ta.inv255', 1 / 255),
      f('ta.eps', 1e-12),
    )
  }
  const keep = [{ name: 'keepdims', type: ATTR_TYPE.INT, i: 1 }]
  out.push(
    mk('ReduceMin', [x, 'ta.axes'], `${p}.min0`, keep),
    mk('ReduceMax', [x, 'ta.axes'], `${p}.max0`, keep),
    mk('Min', [`${p}.min0`, 'ta.0'], `${p}.min`),
    mk('Max', [`${p}.max0`, 'ta.0'], `${p}.max`),
    mk('Sub', [`${p}.max`, `${p}.min`], `${p}.range`),
    mk('Mul', [`${p}.range`, 'ta.inv255'], `${p}.s0`),
    mk('Max', [`${p}.s0`, 'ta.eps'], `${p}.s`),
    mk('Div', [`${p}.min`, `${p}.s`], `${p}.mins`),
    mk('Neg', [`${p}.mins`], `${p}.zp0`),
    mk('Round', [`${p}.zp0`], `${p}.zpf`),
    mk('Div', [x, `${p}.s`], `${p}.div`),
    mk('Round', [`${p}.div`], `${p}.round`),
    mk('Add', [`${p}.round`, `${p}.zpf`], `${p}.shift`),
    mk('Clip', [`${p}.shift`, 'ta.0', 'ta.255'], `${p}.clip`),
    mk('Cast', [`${p}.clip`], `${p}.q`, [{ name: 'to', type: ATTR_TYPE.INT, i: ONNX_UINT8 }]),
    mk('Cast', [`${p}.zpf`], `${p}.zp`, [{ name: 'to', type: ATTR_TYPE.INT, i: ONNX_INT32 }]),
  )
  return { q: `${p}.q`, s: `${p}.s`, zp: `${p}.zp` }
}

/**
 * The scaling of MatMul inputs that GELU produced. Measured (issue #13) on MiniLM fine-tuned on
 * 480 medical abstracts, its 277 test texts, mean |Δprob| against fp32: all 'tensor' 0.0052;
 * 'token-asym' for these only 0.0038 at the same speed; 'token-asym' everywhere 0.0020 but ~35 %
 * slower (the extra element-wise passes around MatMulInteger); weights alone (float activations)
 * 0.0014. The FFN down-projection's input is where per-tensor scaling lost most (error / rms 5–10 %).
 */
export const GELU_TOKEN_ASYM: ActivationScaling = 'token-asym'

/** Whether `name` comes out of a GELU: an Erf (our emitter's x·½·(1 + erf(x/√2))) or Gelu ≤ 4 nodes up. */
function fromGelu(name: string, producer: Map<string, NodeObj>): boolean {
  let frontier = [name]
  for (let depth = 0; depth < 4; depth++) {
    const next: string[] = []
    for (const n of frontier) {
      const p = producer.get(n)
      if (!p) continue
      if (p.op_type === 'Erf' || p.op_type === 'Gelu' || p.op_type === 'FastGelu') return true
      next.push(...p.input)
    }
    frontier = next
  }
  return false
}

function bytesOf64(a: bigint[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(a).buffer)
}

export function quantizeModelInt8(
  bytes: Uint8Array,
  opts: {
    keepFloat?: (weight: string) => boolean
    /**
     * One scaling for every MatMul, or per weight (initializer name). Default: 'token-asym' for
     * the inputs GELU produced (one-sided, with a few large outliers: the FFN down-projection),
     * 'tensor' for the rest — see GELU_TOKEN_ASYM.
     */
    activations?: ActivationScaling | ((weight: string) => ActivationScaling)
  } = {},
): { bytes: Uint8Array; stats: QuantizeStats } {
  const model = decodeModel(bytes)
  const graph: GraphProtoObj = model.graph
  const nodes = graph.node ?? []
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name, t]))
  const producer = new Map<string, NodeObj>()
  const consumers = new Map<string, NodeObj[]>()
  for (const n of nodes) {
    for (const o of n.output) producer.set(o, n)
    for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n])
  }
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name))
  const stats: QuantizeStats = { quantized: 0, biasFused: 0, keptFloat: 0 }
  const removed = new Set<NodeObj>()
  const replaced = new Map<NodeObj, NodeObj>()
  const newInits: TensorProtoObj[] = []
  const tokenQ = new Map<string, { q: string; s: string }>()
  const tokenQA = new Map<string, { q: string; s: string; zp: string }>()
  const expanded = new Map<NodeObj, NodeObj[]>()
  for (const node of nodes) {
    if (node.op_type !== 'MatMul') continue
    const right = constantRight(node, inits, producer)
    if (!right || opts.keepFloat?.(right.weight)) {
      stats.keptFloat++
      continue
    }
    const { rows, cols } = right.matrix
    const { q, scales } = quantizeColumns(right.matrix)
    const base = `${node.output[0]}_q`
    const short = `q${stats.quantized}`
    newInits.push(
      { name: `${base}.B`, dims: [rows, cols], data_type: ONNX_INT8, raw_data: bytesOf(q) },
      {
        name: `${base}.scale`,
        dims: [cols],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(scales),
      },
      {
        name: `${base}.zero`,
        dims: [cols],
        data_type: ONNX_INT8,
        raw_data: new Uint8Array(cols),
      },
    )
    const inputs = [node.input[0], `${base}.B`, `${base}.scale`, `${base}.zero`]
    let output = node.output[0]
    const fused = biasAdd(output, consumers, inits, graphOutputs, cols)
    if (fused) {
      inputs.push(fused.bias)
      output = fused.add.output[0]
      removed.add(fused.add)
      stats.biasFused++
    }
    const scaling =
      typeof opts.activations === 'function'
        ? opts.activations(right.weight)
        : (opts.activations ?? (fromGelu(node.input[0], producer) ? GELU_TOKEN_ASYM : 'tensor'))
    if (scaling === 'token-asym') {
      const seq: NodeObj[] = []
      let t = tokenQA.get(node.input[0])
      if (!t) {
        t = tokenQuantizeAsym(node.input[0], seq, newInits, tokenQ.size + tokenQA.size)
        tokenQA.set(node.input[0], t)
      }
      const colsum = new Int32Array(cols)
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) colsum[c] += q[r * cols + c]
      newInits.push({
        name: `${base}.colsum`,
        dims: [cols],
        data_type: ONNX_INT32,
        raw_data: new Uint8Array(colsum.buffer),
      })
      seq.push(
        mk('MatMulInteger', [t.q, `${base}.B`], `${short}.i32`),
        mk('Mul', [t.zp, `${base}.colsum`], `${short}.corr`),
        mk('Sub', [`${short}.i32`, `${short}.corr`], `${short}.d`),
        mk('Cast', [`${short}.d`], `${short}.f`, [
          { name: 'to', type: ATTR_TYPE.INT, i: ONNX_DTYPE.float32 },
        ]),
        mk('Mul', [`${short}.f`, t.s], `${short}.rs`),
        mk('Mul', [`${short}.rs`, `${base}.scale`], fused ? `${short}.y` : output),
        ...(fused ? [mk('Add', [`${short}.y`, fused.bias], output)] : []),
      )
      expanded.set(node, seq)
      stats.quantized++
      continue
    }
    if (scaling === 'token') {
      const seq: NodeObj[] = []
      let t = tokenQ.get(node.input[0])
      if (!t) {
        t = tokenQuantize(node.input[0], seq, newInits, tokenQ.size + tokenQA.size)
        tokenQ.set(node.input[0], t)
      }
      seq.push(
        mk('MatMulInteger', [t.q, `${base}.B`, 'tq.zp', 'tq.wzp'], `${short}.i32`),
        mk('Cast', [`${short}.i32`], `${short}.f`, [
          { name: 'to', type: ATTR_TYPE.INT, i: ONNX_DTYPE.float32 },
        ]),
        mk('Mul', [`${short}.f`, t.s], `${short}.rs`),
        mk('Mul', [`${short}.rs`, `${base}.scale`], fused ? `${short}.y` : output),
        ...(fused ? [mk('Add', [`${short}.y`, fused.bias], output)] : []),
      )
      expanded.set(node, seq)
      stats.quantized++
      continue
    }
    replaced.set(node, {
      name: `${node.name || node.output[0]}_quant`,
      op_type: 'DynamicQuantizeMatMul',
      domain: MS_DOMAIN,
      input: inputs,
      output: [output],
    } as NodeObj)
    stats.quantized++
  }
  if (stats.quantized === 0) return { bytes, stats }
  let kept = nodes
    .filter((n) => !removed.has(n))
    .flatMap((n) => expanded.get(n) ?? [replaced.get(n) ?? n])
  // Drop what nothing reads any more (the weight Transposes, then the float weights).
  for (;;) {
    const read = new Set([...kept.flatMap((n) => n.input), ...graphOutputs])
    const next = kept.filter((n) => n.output.some((o) => read.has(o)))
    if (next.length === kept.length) break
    kept = next
  }
  const read = new Set([...kept.flatMap((n) => n.input), ...graphOutputs])
  const initializer = [...(graph.initializer ?? []), ...newInits].filter((t) => read.has(t.name))
  const opset = model.opset_import.find((o) => !(o as { domain?: string }).domain)?.version ?? 18
  const encoded = encodeModel({ ...graph, node: kept, initializer }, opset)
  return { bytes: withOpsetImport(encoded, MS_DOMAIN, 1), stats }
}
