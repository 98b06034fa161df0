// Fuses the attention of the inference graph we emit (fp32 or int8): each core (head reshapes,
// transposes, scores, mask, softmax, context) becomes one com.microsoft MultiHeadAttention, which
// onnxruntime's own AttentionFusion does not find in our pattern (issue #13: node types counted in
// the optimizedModelFilePath output). Residual Add + LayerNormalization → SkipLayerNormalization was
// measured too and dropped: slower on the CPU, and int8 predictions moved by 3e-3.
import { decodeModel, encodeModel } from '../graph'
import {
  ATTR_TYPE,
  type AttributeObj,
  type GraphProtoObj,
  type NodeObj,
  ONNX_DTYPE,
  type TensorProtoObj,
} from '../graph/onnx-proto'
import { withOpsetImport } from './quantize'
import { MS_DOMAIN } from './quantize-token'

export interface FuseStats {
  /** Attention cores replaced by MultiHeadAttention. */
  attention: number
}

/** A node as decoded (the emitter's NodeObj lacks the domain field the schema carries). */
type Node = NodeObj & { domain?: string }

interface Index {
  inits: Map<string, TensorProtoObj>
  producer: Map<string, Node>
  consumers: Map<string, Node[]>
  graphOutputs: Set<string>
  graphInputs: Set<string>
}

function indexGraph(graph: GraphProtoObj): Index {
  const producer = new Map<string, Node>()
  const consumers = new Map<string, Node[]>()
  for (const n of graph.node ?? []) {
    for (const o of n.output) producer.set(o, n)
    for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n])
  }
  return {
    inits: new Map((graph.initializer ?? []).map((t) => [t.name, t])),
    producer,
    consumers,
    graphOutputs: new Set((graph.output ?? []).map((o) => o.name)),
    graphInputs: new Set((graph.input ?? []).map((o) => o.name)),
  }
}

function ints(t: TensorProtoObj | undefined): number[] | null {
  if (!t || t.data_type !== ONNX_DTYPE.int64 || !t.raw_data) return null
  const copy = new Uint8Array(t.raw_data)
  return Array.from(new BigInt64Array(copy.buffer), Number)
}

function scalar(t: TensorProtoObj | undefined): number | null {
  if (!t || t.data_type !== ONNX_DTYPE.float32 || !t.raw_data || t.raw_data.byteLength !== 4)
    return null
  return new Float32Array(new Uint8Array(t.raw_data).buffer)[0]
}

const attr = (n: Node, name: string) => n.attribute?.find((a) => a.name === name)
const same = (a: number[] | null | undefined, b: number[]) =>
  !!a && a.length === b.length && a.every((v, i) => v === b[i])

/** The node producing `tensor` when it is an `op` (ai.onnx), else null. */
function from(ix: Index, tensor: string, op: string): Node | null {
  const n = ix.producer.get(tensor)
  return n && n.op_type === op && !n.domain ? n : null
}

/** Transpose(perm) of Reshape(x, [0, 0, heads, size]): x and the head split. */
function headSplit(ix: Index, tensor: string): { x: string; heads: number; size: number } | null {
  const t = from(ix, tensor, 'Transpose')
  if (!t || !same(attr(t, 'perm')?.ints?.map(Number), [0, 2, 1, 3])) return null
  const r = from(ix, t.input[0], 'Reshape')
  const shape = r && ints(ix.inits.get(r.input[1]))
  if (!r || !shape || shape.length !== 4 || shape[0] !== 0 || shape[1] !== 0) return null
  return { x: r.input[0], heads: shape[2], size: shape[3] }
}

/** (1 − Cast(mask)) · fill, unsqueezed to [B, 1, 1, S]: the mask input and the fill value. */
function maskBias(ix: Index, tensor: string): { mask: string; fill: number } | null {
  const u = from(ix, tensor, 'Unsqueeze')
  if (!u || !same(ints(ix.inits.get(u.input[1])), [1, 2])) return null
  const mul = from(ix, u.input[0], 'Mul')
  if (!mul) return null
  const [subOut, fillName] = from(ix, mul.input[0], 'Sub')
    ? [mul.input[0], mul.input[1]]
    : [mul.input[1], mul.input[0]]
  const sub = from(ix, subOut, 'Sub')
  const fill = scalar(ix.inits.get(fillName))
  if (!sub || fill === null || scalar(ix.inits.get(sub.input[0])) !== 1) return null
  const cast = from(ix, sub.input[1], 'Cast')
  if (!cast || !ix.graphInputs.has(cast.input[0])) return null
  return { mask: cast.input[0], fill }
}

interface AttentionMatch {
  nodes: Node[]
  q: string
  k: string
  v: string
  heads: number
  scale: number
  mask: string
  fill: number
  output: string
}

/**
 * The attention core around `softmax`: Softmax(Q·Kᵀ · scale + maskBias) · V with Q, K, V split into
 * heads and the context merged back, as bert.ts emits it.
 */
function matchAttention(ix: Index, softmax: Node): AttentionMatch | null {
  const axis = attr(softmax, 'axis')?.i
  if (axis !== 3 && axis !== -1) return null
  const add = from(ix, softmax.input[0], 'Add')
  if (!add) return null
  const mulFirst = from(ix, add.input[0], 'Mul')
  const scaled = mulFirst ?? from(ix, add.input[1], 'Mul')
  if (!scaled) return null
  const mb = maskBias(ix, mulFirst ? add.input[1] : add.input[0])
  if (!mb) return null
  const scores = from(ix, scaled.input[0], 'MatMul')
  const scale = scalar(ix.inits.get(scaled.input[1]))
  if (!scores || scale === null) return null
  const q = headSplit(ix, scores.input[0])
  const kT = from(ix, scores.input[1], 'Transpose')
  if (!q || !kT || !same(attr(kT, 'perm')?.ints?.map(Number), [0, 1, 3, 2])) return null
  const k = headSplit(ix, kT.input[0])
  const users = ix.consumers.get(softmax.output[0]) ?? []
  const context = users.length === 1 && users[0].op_type === 'MatMul' ? users[0] : null
  if (!k || !context || context.input[0] !== softmax.output[0]) return null
  const v = headSplit(ix, context.input[1])
  const merge = ix.consumers.get(context.output[0]) ?? []
  const mt = merge.length === 1 && merge[0].op_type === 'Transpose' ? merge[0] : null
  if (!v || !mt || !same(attr(mt, 'perm')?.ints?.map(Number), [0, 2, 1, 3])) return null
  const reshaped = ix.consumers.get(mt.output[0]) ?? []
  const mr = reshaped.length === 1 && reshaped[0].op_type === 'Reshape' ? reshaped[0] : null
  const heads = q.heads
  if (!mr || !same(ints(ix.inits.get(mr.input[1])), [0, 0, heads * q.size])) return null
  if (k.heads !== heads || v.heads !== heads || k.size !== q.size) return null
  const nodes = [
    softmax,
    add,
    scaled,
    scores,
    kT,
    context,
    mt,
    mr,
    ...[scores.input[0], kT.input[0], context.input[1]].flatMap((t) => {
      const tr = ix.producer.get(t)!
      return [tr, ix.producer.get(tr.input[0])!]
    }),
  ]
  // Every intermediate is used inside the pattern only (the final Reshape's output goes on).
  const inside = new Set(nodes)
  for (const n of nodes) {
    if (n === mr) continue
    for (const o of n.output) {
      if (ix.graphOutputs.has(o)) return null
      if ((ix.consumers.get(o) ?? []).some((c) => !inside.has(c))) return null
    }
  }
  return {
    nodes,
    q: q.x,
    k: k.x,
    v: v.x,
    heads,
    scale,
    mask: mb.mask,
    fill: mb.fill,
    output: mr.output[0],
  }
}

const intAttr = (name: string, i: number): AttributeObj => ({ name, type: ATTR_TYPE.INT, i })
const floatAttr = (name: string, f: number): AttributeObj => ({ name, type: ATTR_TYPE.FLOAT, f })

/** Nodes whose outputs reach no graph output, dropped (the mask chains the fusion left unused). */
function liveNodes(graph: GraphProtoObj, nodes: Node[]): Node[] {
  const live = new Set((graph.output ?? []).map((o) => o.name))
  const keep = new Set<Node>()
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]
    if (!n.output.some((o) => live.has(o))) continue
    keep.add(n)
    for (const t of n.input) if (t) live.add(t)
  }
  return nodes.filter((n) => keep.has(n))
}

/**
 * The model with its attention cores fused (see the header); a model without them (the TF-IDF
 * baseline) comes back as it was, with a zero count.
 */
export function fuseInferenceGraph(bytes: Uint8Array): { bytes: Uint8Array; stats: FuseStats } {
  const model = decodeModel(bytes)
  const graph = model.graph
  const nodes = (graph.node ?? []) as Node[]
  const ix = indexGraph(graph)
  const stats: FuseStats = { attention: 0 }
  const removed = new Set<Node>()
  // A fused node takes the place of the last node of its pattern (its inputs all come before).
  const replacement = new Map<Node, Node>()
  const maskCasts = new Map<string, Node>()

  for (const n of nodes) {
    if (n.op_type !== 'Softmax' || n.domain) continue
    const m = matchAttention(ix, n)
    if (!m || m.nodes.some((x) => removed.has(x))) continue
    let cast = maskCasts.get(m.mask)
    if (!cast) {
      cast = {
        name: `${m.mask}_int32`,
        op_type: 'Cast',
        input: [m.mask],
        output: [`${m.mask}_int32`],
        // int32: MultiHeadAttention's key_padding_mask type.
        attribute: [intAttr('to', ONNX_DTYPE.int32)],
      }
      maskCasts.set(m.mask, cast)
    }
    const last = m.nodes.find((x) => x.output[0] === m.output)!
    for (const x of m.nodes) removed.add(x)
    replacement.set(last, {
      name: `${last.name ?? m.output}_mha`,
      op_type: 'MultiHeadAttention',
      domain: MS_DOMAIN,
      input: [m.q, m.k, m.v, '', cast.output[0]],
      output: [m.output],
      attribute: [
        intAttr('num_heads', m.heads),
        floatAttr('scale', m.scale),
        floatAttr('mask_filter_value', m.fill),
      ],
    })
    stats.attention++
  }

  if (stats.attention === 0) return { bytes, stats }
  const rebuilt: Node[] = [...maskCasts.values()]
  for (const n of nodes) {
    const r = replacement.get(n)
    if (r) rebuilt.push(r)
    else if (!removed.has(n)) rebuilt.push(n)
  }
  const kept = liveNodes(graph, rebuilt)
  const used = new Set(kept.flatMap((n) => n.input))
  const initializer = (graph.initializer ?? []).filter((t) => used.has(t.name))
  const opset = model.opset_import.find((o) => !(o as { domain?: string }).domain)?.version ?? 18
  // encodeModel imports ai.onnx only; the fused ops (and int8's) are com.microsoft's.
  const encoded = encodeModel({ ...graph, node: kept, initializer }, opset)
  return { bytes: withOpsetImport(encoded, MS_DOMAIN, 1), stats }
}
