// The per-token paths of int8 dynamic quantization (quantize.ts): standard ONNX ops that scale
// each token row of an activation on its own, for the MatMuls whose input one scale per tensor
// serves badly (GELU's output: one-sided, with outliers).
import { ATTR_TYPE, type NodeObj, ONNX_DTYPE, type TensorProtoObj } from '../graph/onnx-proto'

/** ONNX TensorProto.DataType of int8 and uint8 (onnx.proto), not among the emitter's dtypes. */
export const ONNX_INT8 = 3
export const ONNX_UINT8 = 2
export const MS_DOMAIN = 'com.microsoft'

export function bytesOf(a: Float32Array | Int8Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

export function bytesOf64(a: bigint[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(a).buffer)
}

export const mk = (
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

const f32 = (name: string, v: number): TensorProtoObj => ({
  name,
  dims: [],
  data_type: ONNX_DTYPE.float32,
  raw_data: bytesOf(new Float32Array([v])),
})
const i64 = (name: string, v: number[]): TensorProtoObj => ({
  name,
  dims: [v.length],
  data_type: ONNX_DTYPE.int64,
  raw_data: bytesOf64(v.map(BigInt)),
})
export const castTo = (to: number) => [{ name: 'to', type: ATTR_TYPE.INT, i: to }]
const KEEP = [{ name: 'keepdims', type: ATTR_TYPE.INT, i: 1 }]
const DROP = [{ name: 'keepdims', type: ATTR_TYPE.INT, i: 0 }]

/** Add the initializers `made` once (by the first one's name). */
function once(inits: TensorProtoObj[], made: () => TensorProtoObj[]): void {
  const list = made()
  if (!inits.some((t) => t.name === list[0].name)) inits.push(...list)
}

/** Per-token int8 of activation `x` as uint8 (+128, zero point 128) and its row scales. */
export function tokenQuantize(
  x: string,
  out: NodeObj[],
  inits: TensorProtoObj[],
  id: number,
): { q: string; s: string } {
  // Short names (tq0, tq1 …): on a tiny model long ones would outweigh the int8 saving.
  const p = `tq${id}`
  once(inits, () => [
    i64('tq.axes', [-1]),
    f32('tq.inv127', 1 / 127),
    f32('tq.eps', 1e-12),
    f32('tq.128', 128),
    { name: 'tq.zp', dims: [], data_type: ONNX_UINT8, raw_data: new Uint8Array([128]) },
    { name: 'tq.wzp', dims: [], data_type: ONNX_INT8, raw_data: new Uint8Array([0]) },
  ])
  out.push(
    mk('Abs', [x], `${p}.abs`),
    mk('ReduceMax', [`${p}.abs`, 'tq.axes'], `${p}.max`, KEEP),
    mk('Mul', [`${p}.max`, 'tq.inv127'], `${p}.s0`),
    mk('Max', [`${p}.s0`, 'tq.eps'], `${p}.s`),
    mk('Div', [x, `${p}.s`], `${p}.div`),
    mk('Round', [`${p}.div`], `${p}.round`),
    mk('Add', [`${p}.round`, 'tq.128'], `${p}.shift`),
    mk('Cast', [`${p}.shift`], `${p}.q`, castTo(ONNX_UINT8)),
  )
  return { q: `${p}.q`, s: `${p}.s` }
}

/**
 * Activation `x` [..., K] as token rows [tokens, K] quantized to uint8, one scale per row: `q`
 * (2-D), `s` its row scales [tokens, 1], `zp` the row zero points as int32 [tokens, 1], `lead`
 * x's shape without its last dim (to shape the product back).
 */
export interface TokenRows {
  q: string
  s: string
  zp: string
  lead: string
}

/** x → [tokens, K], and x's leading dims. */
function asRows(x: string, k: number, p: string, out: NodeObj[], inits: TensorProtoObj[]): void {
  inits.push(i64(`${p}.2d`, [-1, k]))
  out.push(
    mk('Reshape', [x, `${p}.2d`], `${p}.x`),
    mk('Shape', [x], `${p}.lead`, [{ name: 'end', type: ATTR_TYPE.INT, i: -1 }]),
  )
}

/**
 * Per-token asymmetric uint8 of `x`: each row's [min, max] (widened to hold 0) over 255 steps
 * with its own zero point. One QuantizeLinear per axis 0 does x / s, rounds half to even, adds
 * the zero point and saturates — what Div, Round, Add, Clip and Cast did in five passes.
 */
export function tokenQuantizeAsym(
  x: string,
  k: number,
  out: NodeObj[],
  inits: TensorProtoObj[],
  id: number,
): TokenRows {
  const p = `ta${id}`
  once(inits, () => [
    i64('ta.axes', [1]),
    f32('ta.0', 0),
    f32('ta.inv255', 1 / 255),
    f32('ta.eps', 1e-12),
  ])
  asRows(x, k, p, out, inits)
  out.push(
    mk('ReduceMin', [`${p}.x`, 'ta.axes'], `${p}.min0`, DROP),
    mk('ReduceMax', [`${p}.x`, 'ta.axes'], `${p}.max0`, DROP),
    mk('Min', [`${p}.min0`, 'ta.0'], `${p}.min`),
    mk('Max', [`${p}.max0`, 'ta.0'], `${p}.max`),
    mk('Sub', [`${p}.max`, `${p}.min`], `${p}.range`),
    mk('Mul', [`${p}.range`, 'ta.inv255'], `${p}.s0`),
    mk('Max', [`${p}.s0`, 'ta.eps'], `${p}.s1`),
    mk('Div', [`${p}.min`, `${p}.s1`], `${p}.mins`),
    mk('Neg', [`${p}.mins`], `${p}.zp0`),
    mk('Round', [`${p}.zp0`], `${p}.zpf`),
    mk('Cast', [`${p}.zpf`], `${p}.zpq`, castTo(ONNX_UINT8)),
    mk('QuantizeLinear', [`${p}.x`, `${p}.s1`, `${p}.zpq`], `${p}.q`, [
      { name: 'axis', type: ATTR_TYPE.INT, i: 0 },
    ]),
    mk('Cast', [`${p}.zpf`], `${p}.zpi`, castTo(ONNX_DTYPE.int32)),
    mk('Unsqueeze', [`${p}.zpi`, 'ta.axes'], `${p}.zp`),
    mk('Unsqueeze', [`${p}.s1`, 'ta.axes'], `${p}.s`),
  )
  return { q: `${p}.q`, s: `${p}.s`, zp: `${p}.zp`, lead: `${p}.lead` }
}

/**
 * The product of token rows `t` by int8 weights `b` [K × N] (per-column `scale`; `colsum`, the
 * column sums, for the zero-point correction), dequantized, plus `bias`, shaped back to x's
 * leading dims into `output`.
 */
export function rowsMatMul(
  t: TokenRows,
  w: { b: string; scale: string; colsum: string; cols: number; bias?: string },
  short: string,
  output: string,
  inits: TensorProtoObj[],
): NodeObj[] {
  // Each row's zero point corrected exactly in int32: zp · colsum(B).
  const seq: NodeObj[] = [
    mk('MatMulInteger', [t.q, w.b], `${short}.i32`),
    mk('Mul', [t.zp, w.colsum], `${short}.corr`),
    mk('Sub', [`${short}.i32`, `${short}.corr`], `${short}.d`),
    mk('Cast', [`${short}.d`], `${short}.f`, castTo(ONNX_DTYPE.float32)),
    mk('Mul', [`${short}.f`, t.s], `${short}.rs`),
    mk('Mul', [`${short}.rs`, w.scale], `${short}.y`),
  ]
  let f = `${short}.y`
  if (w.bias) {
    seq.push(mk('Add', [f, w.bias], `${short}.b`))
    f = `${short}.b`
  }
  inits.push(i64(`${short}.n`, [w.cols]))
  seq.push(
    mk('Concat', [t.lead, `${short}.n`], `${short}.shape`, [
      { name: 'axis', type: ATTR_TYPE.INT, i: 0 },
    ]),
    mk('Reshape', [f, `${short}.shape`], output),
  )
  return seq
}
