// int8 dynamic quantization of an inference model we emitted: every MatMul by a constant weight
// gets int8 weights (symmetric per output column) and activations quantized on each call — one
// scale per tensor (com.microsoft DynamicQuantizeMatMul, bias folded in; Q, K and V of a layer as
// one) or, for GELU's output, one asymmetric scale per token (QuantizeLinear + MatMulInteger,
// quantize-token.ts) — see ActivationScaling. Matmuls of two activations (attention scores,
// attention × values) stay float.
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
import {
  MS_DOMAIN,
  ONNX_INT8,
  type TokenRows,
  bytesOf,
  bytesOf64,
  castTo,
  mk,
  rowsMatMul,
  tokenQuantize,
  tokenQuantizeAsym,
} from './quantize-token'

/** The quantization a model is served with. */
export type Quantization = 'int8' | 'none'
export const QUANTIZATIONS: readonly Quantization[] = ['int8', 'none']

/**
 * The int8 model of a run folder: its saved file (BUNDLE_MODEL_INT8, written by the train job's
 * check), else quantized now from model.onnx (a few seconds and ~250 MB more at peak). A file saved
 * before weights were 7-bit (levels beyond WEIGHT_MAX, which saturate on CPUs without VNNI) is
 * quantized again from model.onnx rather than used.
 */
export function int8ModelBytes(dir: string): Uint8Array {
  const saved = join(dir, BUNDLE_MODEL_INT8)
  if (existsSync(saved)) {
    const bytes = readArtifact(saved)
    if (weightsWithinRange(bytes)) return bytes
  }
  return quantizeModelInt8(readArtifact(join(dir, BUNDLE_MODEL))).bytes
}

/** Whether every int8 initializer of an ONNX model lies in [-WEIGHT_MAX, WEIGHT_MAX]. */
export function weightsWithinRange(model: Uint8Array): boolean {
  for (const t of decodeModel(model).graph.initializer ?? []) {
    if (t.data_type !== ONNX_INT8 || !t.raw_data) continue
    const raw = t.raw_data
    const levels = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength)
    for (const v of levels) if (v > WEIGHT_MAX || v < -WEIGHT_MAX) return false
  }
  return true
}

/** Quantize the run folder's model.onnx into model.int8.onnx (atomically; once). */
export function saveInt8Model(dir: string): void {
  const saved = join(dir, BUNDLE_MODEL_INT8)
  if (existsSync(saved)) return
  const bytes = quantizeModelInt8(readArtifact(join(dir, BUNDLE_MODEL))).bytes
  // Encrypted like model.onnx in an encrypted workspace (issue #15 point 2).
  writeArtifactAtomic(saved, bytes, artifactKeyFor(saved))
}

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
 * The largest weight level: weights are int8 in [-63, 63] (7 bits), not [-127, 127]. Why: on x86
 * CPUs without VNNI (AVX2 only — many clinicians' laptops, AMD Zen 1–3) onnxruntime's u8 × s8
 * kernels add pairs of products in int16 with saturation (vpmaddubsw), and 255 · 127 · 2 overflows
 * it (an AMD EPYC: a unit test's product off by 0.40, MiniLM logits off fp32 by 0.050 against
 * 0.030 on a VNNI machine). With 63, 255 · 63 · 2 = 32,130 fits, so every CPU computes the same
 * exact integer products and a model predicts alike wherever it is exported to (onnxruntime's
 * "reduce_range").
 */
export const WEIGHT_MAX = 63

/**
 * Symmetric int8 per column of B [K × N] (MatMul's right-hand side): scale = max|column| /
 * WEIGHT_MAX, zero point 0, values rounded and clamped to [-WEIGHT_MAX, WEIGHT_MAX].
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
  for (let c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / WEIGHT_MAX : 1
  const q = new Int8Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.round(data[at(r, c)] / scales[c])
      q[r * cols + c] = v > WEIGHT_MAX ? WEIGHT_MAX : v < -WEIGHT_MAX ? -WEIGHT_MAX : v
    }
  }
  return { q, scales }
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
 * How activations are scaled to int8 on each call: 'tensor' (DynamicQuantizeMatMul: one uint8
 * scale and zero point per input tensor, the whole batch), 'token' (one symmetric scale per
 * token row, max|row| / 127, as standard ops + MatMulInteger: a few outlier tokens — in MiniLM
 * some reach 20–30 in one channel against ~3 for most — no longer coarsen every other token's
 * grid) or 'token-asym' (per token row [min, max] over 255 steps with its own zero point,
 * corrected exactly in int32 by zero point × the weight's column sums: GELU's output is one-sided,
 * so symmetric scaling would waste half the levels). onnxruntime has no per-row zero point or
 * per-token dynamic op, hence the standard ops around MatMulInteger (one QuantizeLinear per axis
 * quantizes the rows: issue #13 measured the five element-wise ops it replaced at ~13 % of the
 * int8 model's CPU time).
 */
export type ActivationScaling = 'tensor' | 'token' | 'token-asym'

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

/** A MatMul turned into DynamicQuantizeMatMul `dq`, with its int8 weights (for merging). */
interface TensorScaled {
  node: NodeObj
  dq: NodeObj
  q: Int8Array
  scales: Float32Array
  rows: number
  cols: number
  bias?: string
}

/**
 * Whether per-tensor MatMuls sharing one input (a layer's Q, K and V) become ONE
 * DynamicQuantizeMatMul over their weights side by side, then a Split: the input is quantized
 * once instead of three times and the product is one wider GEMM. Per-tensor scaling of a shared
 * input is the same in each, and weights are per column, so results are unchanged.
 */
export const MERGE_SHARED_INPUT = true

/**
 * Groups of `tensorScaled` reading the same input, each merged: the node sequence that replaces
 * the group's first MatMul (the others are dropped: their outputs come from its Split).
 */
function mergeSharedInput(
  tensorScaled: TensorScaled[],
  inits: Map<string, TensorProtoObj>,
  newInits: TensorProtoObj[],
): Map<NodeObj, NodeObj[]> {
  const groups = new Map<string, TensorScaled[]>()
  for (const t of tensorScaled) groups.set(t.dq.input[0], [...(groups.get(t.dq.input[0]) ?? []), t])
  const out = new Map<NodeObj, NodeObj[]>()
  for (const group of groups.values()) {
    if (group.length < 2) continue
    // All with a bias or none (the bias is one input of the merged node); all the same K.
    if (new Set(group.map((t) => t.bias !== undefined)).size > 1) continue
    if (new Set(group.map((t) => t.rows)).size > 1) continue
    const rows = group[0].rows
    const total = group.reduce((s, t) => s + t.cols, 0)
    const b = new Int8Array(rows * total)
    const scales = new Float32Array(total)
    const bias = new Float32Array(total)
    let at = 0
    for (const t of group) {
      for (let r = 0; r < rows; r++)
        b.set(t.q.subarray(r * t.cols, (r + 1) * t.cols), r * total + at)
      scales.set(t.scales, at)
      if (t.bias) bias.set(floatData(inits.get(t.bias)!), at)
      at += t.cols
    }
    const name = `${group[0].dq.output[0]}_m`
    newInits.push(
      { name: `${name}.B`, dims: [rows, total], data_type: ONNX_INT8, raw_data: bytesOf(b) },
      {
        name: `${name}.scale`,
        dims: [total],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(scales),
      },
      {
        name: `${name}.zero`,
        dims: [total],
        data_type: ONNX_INT8,
        raw_data: new Uint8Array(total),
      },
      {
        name: `${name}.split`,
        dims: [group.length],
        data_type: ONNX_DTYPE.int64,
        raw_data: bytesOf64(group.map((t) => BigInt(t.cols))),
      },
    )
    const inputs = [group[0].dq.input[0], `${name}.B`, `${name}.scale`, `${name}.zero`]
    if (group[0].bias) {
      newInits.push({
        name: `${name}.bias`,
        dims: [total],
        data_type: ONNX_DTYPE.float32,
        raw_data: bytesOf(bias),
      })
      inputs.push(`${name}.bias`)
    }
    out.set(group[0].node, [
      { ...group[0].dq, name: `${name}_quant`, input: inputs, output: [name] } as NodeObj,
      {
        op_type: 'Split',
        input: [name, `${name}.split`],
        output: group.map((t) => t.dq.output[0]),
        attribute: [{ name: 'axis', type: ATTR_TYPE.INT, i: -1 }],
      },
    ])
    for (const t of group.slice(1)) out.set(t.node, [])
  }
  return out
}

/**
 * Quantize a float ONNX model (as our emitter writes it) to int8 dynamic quantization. Returns the
 * new model bytes and what changed; a model without weight matmuls comes back unchanged in effect.
 */
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
    /** One DynamicQuantizeMatMul for the per-tensor MatMuls that read the same input (default MERGE_SHARED_INPUT). */
    mergeShared?: boolean
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
  const tokenQA = new Map<string, TokenRows>()
  const expanded = new Map<NodeObj, NodeObj[]>()
  const tensorScaled: TensorScaled[] = []
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
        const id = tokenQ.size + tokenQA.size
        t = tokenQuantizeAsym(node.input[0], rows, seq, newInits, id)
        tokenQA.set(node.input[0], t)
      }
      const sums = new Int32Array(cols)
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sums[c] += q[r * cols + c]
      const colsum = `${base}.colsum`
      newInits.push({
        name: colsum,
        dims: [cols],
        data_type: ONNX_DTYPE.int32,
        raw_data: bytesOf(sums),
      })
      const w = { b: `${base}.B`, scale: `${base}.scale`, colsum, cols, bias: fused?.bias }
      seq.push(...rowsMatMul(t, w, short, output, newInits))
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
        mk('Cast', [`${short}.i32`], `${short}.f`, castTo(ONNX_DTYPE.float32)),
        mk('Mul', [`${short}.f`, t.s], `${short}.rs`),
        mk('Mul', [`${short}.rs`, `${base}.scale`], fused ? `${short}.y` : output),
        ...(fused ? [mk('Add', [`${short}.y`, fused.bias], output)] : []),
      )
      expanded.set(node, seq)
      stats.quantized++
      continue
    }
    const dq = {
      name: `${node.name || node.output[0]}_quant`,
      op_type: 'DynamicQuantizeMatMul',
      domain: MS_DOMAIN,
      input: inputs,
      output: [output],
    } as NodeObj
    replaced.set(node, dq)
    tensorScaled.push({ node, dq, q, scales, rows, cols, bias: fused?.bias })
    stats.quantized++
  }
  if (stats.quantized === 0) return { bytes, stats }
  if (opts.mergeShared ?? MERGE_SHARED_INPUT) {
    for (const [node, seq] of mergeSharedInput(tensorScaled, inits, newInits)) {
      replaced.delete(node)
      expanded.set(node, seq)
    }
  }
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
