// The ONNX emitter: only what the outputs need is emitted, frozen weights are initializers,
// trainable ones inputs, symbolic dims are declared, both opsets load and agree in onnxruntime.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import {
  Graph,
  add,
  decodeModel,
  emitOnnx,
  exp,
  gather,
  gelu,
  layerNorm,
  matmul,
  reduceMax,
  reduceMean,
  reshape,
  softmax,
  squeeze,
  unsqueeze,
} from '../../../../main/ml/graph'

function tiny() {
  const g = new Graph()
  const ids = g.input('ids', 'int64', ['batch', 'seq'])
  const emb = g.param(
    'emb',
    [6, 4],
    Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
  )
  const w = g.param(
    'w',
    [4, 2],
    Float32Array.from({ length: 8 }, (_, i) => Math.cos(i)),
  )
  const unused = g.param('unused', [4, 4], new Float32Array(16))
  const h = gather(emb, ids, 0)
  const dead = exp(matmul(h, unused))
  const logits = matmul(reduceMean(h, [1]), w)
  return { g, ids, emb, w, unused, dead, logits }
}

const ids = new ort.Tensor('int64', BigInt64Array.from([1, 2, 3, 0, 5, 4], BigInt), [2, 3])

describe('ONNX emitter', () => {
  it('emits only the nodes the outputs need (dead branches are pruned)', () => {
    const { ids: x, logits } = tiny()
    const m = decodeModel(emitOnnx({ inputs: [x], outputs: [{ name: 'logits', tensor: logits }] }))
    const ops = m.graph.node.map((n) => n.op_type).sort()
    expect(ops).toEqual(['Gather', 'MatMul', 'ReduceMean'])
    expect(m.graph.initializer.map((t) => t.name)).not.toContain('unused')
  })

  it('names the producing node after the output (no copy), and copies only when it must', async () => {
    const { ids: x, logits } = tiny()
    const bytes = emitOnnx({
      inputs: [x],
      outputs: [
        { name: 'logits', tensor: logits },
        { name: 'again', tensor: logits },
        { name: 'ids_echo', tensor: x },
      ],
    })
    const nodes = decodeModel(bytes).graph.node
    expect(nodes.find((n) => n.output[0] === 'logits')!.op_type).toBe('MatMul')
    expect(nodes.filter((n) => n.op_type === 'Identity').map((n) => n.input[0])).toEqual([
      'logits',
      'ids',
    ])
    const s = await ort.InferenceSession.create(bytes)
    const r = await s.run({ ids })
    expect(Array.from(r.again.data as Float32Array)).toEqual(
      Array.from(r.logits.data as Float32Array),
    )
    expect(r.ids_echo.dims).toEqual([2, 3])
    await s.release()
  })

  it('makes frozen params initializers and trainable params inputs, in order', () => {
    const { ids: x, emb, w, logits } = tiny()
    const m = decodeModel(
      emitOnnx({ inputs: [x], trainable: [w], outputs: [{ name: 'logits', tensor: logits }] }),
    )
    expect(m.graph.input.map((v) => v.name)).toEqual(['ids', 'w'])
    expect(m.graph.initializer.map((t) => t.name)).toContain('emb')
    const embInit = m.graph.initializer.find((t) => t.name === 'emb')!
    expect(embInit.dims).toEqual([6, 4])
    expect(
      new Float32Array(new Uint8Array(embInit.raw_data as unknown as Uint8Array).buffer),
    ).toEqual((emb.source as { init: Float32Array }).init)
  })

  it('declares symbolic dims as dim_param and static ones as dim_value', () => {
    const { ids: x, logits } = tiny()
    const m = decodeModel(emitOnnx({ inputs: [x], outputs: [{ name: 'logits', tensor: logits }] }))
    expect(m.graph.input[0].type.tensor_type.shape!.dim).toEqual([
      { dim_param: 'batch' },
      { dim_param: 'seq' },
    ])
    expect(m.graph.output[0].type.tensor_type.shape!.dim).toEqual([
      { dim_param: 'batch' },
      { dim_value: 2 },
    ])
    expect(m.opset_import[0].version).toBe(18)
  })

  it('gives the same results at opset 17 (axes as attributes) and 18 (axes as inputs)', async () => {
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 3, 4])
    const gamma = g.param('gamma', [4], Float32Array.from([1, 2, 3, 4]))
    const beta = g.param('beta', [4], Float32Array.from([0, 1, 0, 1]))
    // LayerNorm is one LayerNormalization node (opset 17 on); the ReduceMean is written out.
    const y = add(
      add(softmax(layerNorm(x, gamma, beta, 1e-5), -1), reduceMean(x, [-1], true)),
      unsqueeze(squeeze(reduceMax(reshape(x, [0, -1]), [1], true), [1]), [1, 2]),
    )
    const feed = {
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.3)),
        [2, 3, 4],
      ),
    }
    const out: Float32Array[] = []
    for (const opset of [17, 18]) {
      const bytes = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: y }], opset })
      const ops = decodeModel(bytes).graph.node.filter((n) => n.op_type === 'ReduceMean')
      expect(ops[0].input.length).toBe(opset === 17 ? 1 : 2)
      const s = await ort.InferenceSession.create(bytes)
      out.push((await s.run(feed)).y.data as Float32Array)
      await s.release()
    }
    expect(Array.from(out[0])).toEqual(Array.from(out[1]))
    expect(out[0].length).toBe(24)
  })

  it('refuses LayerNormalization below opset 17, naming the op and the opsets', () => {
    const g = new Graph()
    const x = g.input('x', 'float32', [2, 4])
    const y = layerNorm(x, g.constant([1, 1, 1, 1], [4]), g.constant([0, 0, 0, 0], [4]), 1e-5)
    expect(() => emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: y }], opset: 16 })).toThrow(
      'LayerNormalization needs ONNX opset 17 or later (asked for 16)',
    )
  })

  it('runs with the symbolic dims bound to different sizes', async () => {
    const { ids: x, logits } = tiny()
    const s = await ort.InferenceSession.create(
      emitOnnx({ inputs: [x], outputs: [{ name: 'logits', tensor: logits }] }),
    )
    expect((await s.run({ ids })).logits.dims).toEqual([2, 2])
    const longer = new ort.Tensor('int64', BigInt64Array.from([1, 2, 3, 4, 5], BigInt), [1, 5])
    expect((await s.run({ ids: longer })).logits.dims).toEqual([1, 2])
    await s.release()
  })

  it('refuses graphs that need an unlisted input or reuse a name', () => {
    const { ids: x, logits, g } = tiny()
    expect(() => emitOnnx({ inputs: [], outputs: [{ name: 'logits', tensor: logits }] })).toThrow(
      "input 'ids' is needed by the outputs but not listed in inputs",
    )
    expect(() => emitOnnx({ inputs: [x], outputs: [{ name: 'ids', tensor: logits }] })).toThrow(
      /used twice/,
    )
    expect(() => g.param('w', [1], new Float32Array(1))).toThrow(/declared twice/)
  })

  it('writes GELU and LayerNorm in the patterns onnxruntime fuses for inference', async () => {
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 'seq', 8])
    const w = g.param(
      'w',
      [8, 8],
      Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)),
    )
    const b = g.param('b', [8], new Float32Array(8).fill(0.1))
    const gamma = g.param('gamma', [8], new Float32Array(8).fill(1))
    const beta = g.param('beta', [8], new Float32Array(8))
    const y = layerNorm(gelu(add(matmul(x, w), b)), gamma, beta, 1e-12)
    const dir = mkdtempSync(join(tmpdir(), 'cts-fusion-'))
    try {
      const path = join(dir, 'optimized.onnx')
      const bytes = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: y }] })
      const s = await ort.InferenceSession.create(bytes, {
        optimizedModelFilePath: path,
        logSeverityLevel: 3,
      })
      await s.release()
      const ops = decodeModel(new Uint8Array(readFileSync(path))).graph.node.map((n) => n.op_type)
      expect(ops).toContain('LayerNormalization')
      expect(ops.some((op) => op === 'Gelu' || op === 'BiasGelu')).toBe(true)
      expect(ops).not.toContain('Erf')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('infers shapes with symbolic dims through reshape, matmul and broadcasting', () => {
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 'seq', 8])
    expect(reshape(x, [0, 0, 2, 4]).shape).toEqual(['batch', 'seq', 2, 4])
    expect(reshape(x, [-1, 8]).shape).toEqual(['batch*seq', 8])
    expect(reshape(x, [-1, 4]).shape).toEqual(['2*batch*seq', 4])
    const w = g.param('w2', [8, 3], new Float32Array(24))
    expect(matmul(x, w).shape).toEqual(['batch', 'seq', 3])
    expect(add(x, g.constant([1], [1])).shape).toEqual(['batch', 'seq', 8])
    expect(() => add(x, g.constant([1, 2, 3], [3]))).toThrow(/do not broadcast/)
  })
})
