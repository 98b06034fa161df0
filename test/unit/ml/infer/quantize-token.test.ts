// The per-token asymmetric path of int8 quantization (main/ml/infer/quantize-token.ts): its one
// QuantizeLinear per axis and the product after it give, bit for bit, what the five element-wise
// ops it replaced (Div, Round, Add, Clip, Cast on float32) and the int32 correction gave —
// checked against that arithmetic written out here, on GELU-like rows (outlier, all zero, ties).
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { encodeModel } from '../../../../main/ml/graph'
import { ONNX_DTYPE, type NodeObj, type TensorProtoObj } from '../../../../main/ml/graph/onnx-proto'
import {
  ONNX_INT8,
  ONNX_UINT8,
  bytesOf,
  rowsMatMul,
  tokenQuantizeAsym,
} from '../../../../main/ml/infer/quantize-token'
import { WEIGHT_MAX } from '../../../../main/ml/infer/quantize'

const K = 8
const N = 4
const f = Math.fround

/** Round half to even, as ONNX Round and QuantizeLinear do. */
function roundEven(v: number): number {
  const lo = Math.floor(v)
  const d = v - lo
  if (d < 0.5) return lo
  if (d > 0.5) return lo + 1
  return lo % 2 === 0 ? lo : lo + 1
}

/** The replaced graph's arithmetic, op by op in float32: q per row, then y = s·(Σ(q−zp)·B)·scale + bias. */
function reference(x: Float32Array, b: Int8Array, scale: Float32Array, bias: Float32Array) {
  const rows = x.length / K
  const q = new Uint8Array(rows * K)
  const y = new Float32Array(rows * N)
  const colsum = Array.from({ length: N }, (_, c) =>
    Array.from({ length: K }, (_, k) => b[k * N + c]).reduce((s, v) => s + v, 0),
  )
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * K, (r + 1) * K)
    const min = Math.min(...row, 0)
    const max = Math.max(...row, 0)
    const s = Math.max(f(f(max - min) * f(1 / 255)), f(1e-12))
    const zp = roundEven(-f(min / s))
    for (let k = 0; k < K; k++)
      q[r * K + k] = Math.min(255, Math.max(0, roundEven(f(row[k] / s)) + zp))
    for (let c = 0; c < N; c++) {
      let acc = 0
      for (let k = 0; k < K; k++) acc += q[r * K + k] * b[k * N + c]
      const d = acc - zp * colsum[c]
      y[r * N + c] = f(f(f(d * s) * scale[c]) + bias[c])
    }
  }
  return { q, y, colsum: Int32Array.from(colsum) }
}

/** A small seeded generator (the data only has to be fixed, not good). */
function lcg(seed: number) {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

describe('tokenQuantizeAsym + rowsMatMul', () => {
  it('matches the five-op chain and int32 correction bit for bit', async () => {
    const rnd = lcg(7)
    // x [2, 3, K]: GELU-like rows (≥ −0.17), one with an outlier, one all zero, one of ties.
    const x = new Float32Array(2 * 3 * K)
    for (let i = 0; i < x.length; i++) x[i] = f(-0.17 + 3.2 * rnd())
    x[1 * K + 3] = 25
    x.fill(0, 2 * K, 3 * K)
    // Row 3: min 0, max 2.55 → each value k·s + s/2 lands on a half step.
    const s3 = Math.max(f(f(2.55) * f(1 / 255)), f(1e-12))
    for (let k = 0; k < K; k++) x[3 * K + k] = k === 0 ? 2.55 : f((2 * k + 1) * 0.5 * s3)
    // Weights as the product makes them (±WEIGHT_MAX): wider ones can saturate on AVX2 CPUs.
    const b = Int8Array.from(
      { length: K * N },
      () => Math.round(2 * WEIGHT_MAX * rnd()) - WEIGHT_MAX,
    )
    const scale = Float32Array.from({ length: N }, () => f(0.001 + 0.01 * rnd()))
    const bias = Float32Array.from({ length: N }, () => f(rnd() - 0.5))
    const want = reference(x, b, scale, bias)

    const inits: TensorProtoObj[] = [
      { name: 'B', dims: [K, N], data_type: ONNX_INT8, raw_data: bytesOf(b) },
      { name: 'scale', dims: [N], data_type: ONNX_DTYPE.float32, raw_data: bytesOf(scale) },
      { name: 'colsum', dims: [N], data_type: ONNX_DTYPE.int32, raw_data: bytesOf(want.colsum) },
      { name: 'bias', dims: [N], data_type: ONNX_DTYPE.float32, raw_data: bytesOf(bias) },
    ]
    const nodes: NodeObj[] = []
    const t = tokenQuantizeAsym('x', K, nodes, inits, 0)
    nodes.push(
      ...rowsMatMul(
        t,
        { b: 'B', scale: 'scale', colsum: 'colsum', cols: N, bias: 'bias' },
        'q0',
        'y',
        inits,
      ),
    )
    const value = (name: string, elem: number, dims: number[]) => ({
      name,
      type: {
        tensor_type: { elem_type: elem, shape: { dim: dims.map((d) => ({ dim_value: d })) } },
      },
    })
    const model = encodeModel(
      {
        name: 'token-rows',
        node: nodes,
        initializer: inits,
        input: [value('x', ONNX_DTYPE.float32, [2, 3, K])],
        output: [value('y', ONNX_DTYPE.float32, [2, 3, N]), value(t.q, ONNX_UINT8, [6, K])],
      },
      18,
    )
    const session = await ort.InferenceSession.create(model)
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3, K]) })
    await session.release()
    expect(out.y.dims).toEqual([2, 3, N])
    expect(Array.from(out[t.q].data as Uint8Array)).toEqual(Array.from(want.q))
    expect(Array.from(out.y.data as Float32Array)).toEqual(Array.from(want.y))
    // The all-zero row: every level at its zero point, the product the bias alone.
    expect(Array.from(want.y.subarray(2 * N, 3 * N))).toEqual(Array.from(bias))
  })
})
