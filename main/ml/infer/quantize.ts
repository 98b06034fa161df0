// int8 dynamic quantization of an inference model we emitted: every MatMul by a constant weight
// becomes onnxruntime's com.microsoft DynamicQuantizeMatMul (activations quantized per call, weights
// stored int8, symmetric per output column), with the bias Add that follows folded in. Matmuls of
// two activations (attention scores, attention × values) stay float.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLE_MODEL, BUNDLE_MODEL_INT8 } from '../../shared'
import { artifactKeyFor, readArtifact, writeArtifactAtomic } from '../../shared/artifact-crypto'
import { decodeModel, encodeModel } from '../graph'
import {
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

/** ONNX TensorProto.DataType of int8 (onnx.proto), not among the emitter's dtypes. */
const ONNX_INT8 = 3
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
function withOpsetImport(model: Uint8Array, domain: string, version: number): Uint8Array {
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
export function quantizeModelInt8(
  bytes: Uint8Array,
  opts: { keepFloat?: (weight: string) => boolean } = {},
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
  let kept = nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n)
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
