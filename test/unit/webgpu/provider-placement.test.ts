// Which nodes ran on which provider: onnxruntime's profiling events of a real session (exact on the
// CPU), the one line shown when a GPU session ran nodes on the CPU, and what the sessions record.
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { Graph, add, emitOnnx, matmul, relu } from '../../../main/ml/graph'
import {
  placementFields,
  placementFromProfile,
  placementLine,
  readPlacement,
  trackPlacement,
  withPlacementProfiling,
} from '../../../main/ml/runtime/provider-placement'

function smallModel(): Uint8Array {
  const g = new Graph()
  const x = g.input('x', 'float32', [2, 3])
  const w = g.param('w', [3, 2], Float32Array.of(1, -2, 3, 4, -5, 6))
  return emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: relu(add(matmul(x, w), 1)) }] })
}

const feed = { x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]) }

describe('provider placement from a real onnxruntime session', () => {
  it('reports every node of a small CPU session, exactly, after the first run', async () => {
    const opts = withPlacementProfiling(
      'cpu',
      { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 },
      true,
    )
    const session = trackPlacement(await ort.InferenceSession.create(smallModel(), opts), opts)
    const out = await session.run(feed)
    expect(Array.from(out.y.data as Float32Array)).toEqual([0, 25, 0, 49])
    await session.run(feed) // a second run is not counted twice
    const p = readPlacement(session)!
    expect(p.nodesByProvider).toEqual({ cpu: 3 })
    expect(p.totalNodes).toBe(3)
    expect(p.cpuNodes.map((n) => n.op)).toEqual(['Add', 'MatMul', 'Relu'])
    expect(placementLine(p, 'cpu')).toBeNull()
    // Read once: profiling stopped, the session still runs, a second read has nothing.
    expect(readPlacement(session)).toBeNull()
    expect(Array.from((await session.run(feed)).y.data as Float32Array)).toEqual([0, 25, 0, 49])
    await session.release()
  })

  it('a CPU session is not profiled unless asked, and an untracked session reports nothing', async () => {
    const opts = withPlacementProfiling('cpu', { executionProviders: ['cpu'] })
    expect(opts.enableProfiling).toBeUndefined()
    const session = trackPlacement(await ort.InferenceSession.create(smallModel(), opts), opts)
    await session.run(feed)
    expect(readPlacement(session)).toBeNull()
    await session.release()
  })
})

describe('the placement line', () => {
  const ev = (name: string, op: string, provider: string, index = 0) => ({
    cat: 'Node',
    name: `${name}_kernel_time`,
    args: { provider, op_name: op, node_index: String(index) },
  })

  it('counts distinct nodes per provider and names the CPU ops when a GPU session fell back', () => {
    const events = [
      { cat: 'Session', name: 'model_run' },
      ev('mm1', 'MatMul', 'WebGpuExecutionProvider'),
      ev('mm1', 'MatMul', 'WebGpuExecutionProvider'), // a Loop body runs K times
      { cat: 'Node', name: 'mm1_fence_before', args: { provider: 'WebGpuExecutionProvider' } },
      ev('g1', 'Gather', 'CPUExecutionProvider'),
      ev('g2', 'Gather', 'CPUExecutionProvider'),
      ev('s1', 'Shape', 'CPUExecutionProvider'),
      ev('', 'Add', 'WebGpuExecutionProvider', 7),
      ev('', 'Add', 'WebGpuExecutionProvider', 8),
    ]
    const p = placementFromProfile(events)
    expect(p).toEqual({
      nodesByProvider: { webgpu: 3, cpu: 3 },
      totalNodes: 6,
      cpuNodes: [
        { name: 'g1', op: 'Gather' },
        { name: 'g2', op: 'Gather' },
        { name: 's1', op: 'Shape' },
      ],
    })
    expect(placementLine(p, 'webgpu')).toBe(
      '3 of 6 nodes ran on the CPU instead of WEBGPU: Gather ×2, Shape',
    )
    const cuda = placementFromProfile([ev('a', 'Add', 'CUDAExecutionProvider')])
    expect(cuda.nodesByProvider).toEqual({ cuda: 1 })
    expect(placementLine(cuda, 'cuda')).toBeNull()
  })

  it('lists at most eight op types', () => {
    const ops = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']
    const p = placementFromProfile(ops.map((op) => ev(op, op, 'CPUExecutionProvider')))
    expect(placementLine(p, 'cuda')).toBe(
      '9 of 9 nodes ran on the CPU instead of CUDA: A, B, C, D, E, F, G, H, …',
    )
  })

  it('refuses a profile that is not a list of events', () => {
    expect(() => placementFromProfile({})).toThrow('the profile is not a list of events')
  })
})

describe('what a run records', () => {
  const p = placementFromProfile([
    {
      cat: 'Node',
      name: 'a_kernel_time',
      args: { provider: 'CUDAExecutionProvider', op_name: 'MatMul' },
    },
    {
      cat: 'Node',
      name: 'b_kernel_time',
      args: { provider: 'CPUExecutionProvider', op_name: 'Shape' },
    },
  ])

  it('a GPU run records the placement and, when nodes fell back, the line the CLI prints', () => {
    expect(placementFields(p, 'cuda')).toEqual({
      placement: p,
      placementMessage: '1 of 2 nodes ran on the CPU instead of CUDA: Shape',
    })
    const allGpu = placementFromProfile([
      {
        cat: 'Node',
        name: 'a_kernel_time',
        args: { provider: 'CUDAExecutionProvider', op_name: 'MatMul' },
      },
    ])
    expect(placementFields(allGpu, 'cuda')).toEqual({ placement: allGpu })
  })

  it('a CPU run, or one without a report, records nothing', () => {
    expect(placementFields(p, 'cpu')).toEqual({})
    expect(placementFields(null, 'webgpu')).toEqual({})
    expect(placementFields(undefined, 'cuda')).toEqual({})
  })
})
