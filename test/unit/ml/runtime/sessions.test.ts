// Execution-provider choice: the order tried, the CPU fallback and its message, threads, caching.
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Graph, add, emitOnnx } from '../../../../main/ml/graph'
import { SessionProvider, createSession, defaultThreads } from '../../../../main/ml/runtime'
import { nativeErrorCause } from '../../../../main/ml/runtime/sessions'

type Opts = ort.InferenceSession.SessionOptions

/** A factory whose providers succeed or fail as told, recording every attempt. */
function fakeFactory(works: Record<string, boolean>) {
  const calls: Opts[] = []
  let released = 0
  const factory = async (_m: Uint8Array, o: Opts) => {
    calls.push(o)
    const ep = String(o.executionProviders?.[0])
    if (!works[ep]) throw new Error(`${ep}: Failed to load shared library\nstack line`)
    return { ep, release: async () => void released++ } as unknown as ort.InferenceSession
  }
  return { factory, calls, released: () => released }
}

const model = new Uint8Array([1, 2, 3])
const eps = (calls: Opts[]) => calls.map((c) => c.executionProviders?.[0])

describe('execution provider choice', () => {
  // These cases simulate a computer with a hardware GPU adapter (G3: auto skips software adapters).
  beforeAll(() => void (process.env.CTS_WEBGPU_ADAPTER = 'hardware'))
  afterAll(() => void delete process.env.CTS_WEBGPU_ADAPTER)

  it('auto tries cuda, then webgpu, then falls back to the CPU with a message saying why', async () => {
    const f = fakeFactory({ cpu: true })
    const h = await new SessionProvider(f.factory).create(model, { threads: 2 })
    expect(eps(f.calls)).toEqual(['cuda', 'webgpu', 'cpu'])
    expect(h.provider).toBe('cpu')
    expect(h.fallbackMessage).toBe(
      'No GPU is available, so the model runs on the CPU. ' +
        'CUDA is not available: cuda: Failed to load shared library. ' +
        'WebGPU is not available (no GPU adapter was found on this computer): webgpu: Failed to load shared library.',
    )
    expect(f.calls.every((c) => c.intraOpNumThreads === 2)).toBe(true)
  })

  it('replaces a native source location in a provider error by a plain reason', async () => {
    const factory = async (_m: Uint8Array, o: Opts) => {
      const ep = String(o.executionProviders?.[0])
      if (ep === 'cpu') return { release: async () => {} } as unknown as ort.InferenceSession
      throw new Error('/onnxruntime_src/core/providers/webgpu/webgpu_context.cc:136 adapter_result')
    }
    const h = await new SessionProvider(factory).create(model, { device: 'webgpu' })
    expect(h.fallbackMessage).toBe(
      'The WEBGPU device was asked for but the model runs on the CPU. ' +
        'WebGPU is not available (no GPU adapter was found on this computer): the runtime could not start it.',
    )
  })

  it('keeps the cause that a native provider error carries after its source location', async () => {
    const factory = async (_m: Uint8Array, o: Opts) => {
      const ep = String(o.executionProviders?.[0])
      if (ep === 'cpu') return { release: async () => {} } as unknown as ort.InferenceSession
      throw new Error(
        '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 auto lambda ' +
          'adapter_result.status == wgpu::RequestAdapterStatus::Success was false. ' +
          'Failed to get a WebGPU adapter: No supported adapters',
      )
    }
    const h = await new SessionProvider(factory).create(model, { device: 'webgpu' })
    expect(h.fallbackMessage).toBe(
      'The WEBGPU device was asked for but the model runs on the CPU. ' +
        'WebGPU is not available (no GPU adapter was found on this computer): ' +
        'Failed to get a WebGPU adapter: No supported adapters.',
    )
  })

  it("names CUDA's own cause from a native error line, and nothing from a plain one", () => {
    const native =
      '/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:154 std::conditional_t<THRW, void, ' +
      'onnxruntime::common::Status> onnxruntime::CudaCall(…) CUDA failure 100: no CUDA-capable device ' +
      'is detected ; GPU=-1 ; hostname=vm ; expr=cudaSetDevice(info_.device_id); '
    expect(nativeErrorCause(native)).toBe('CUDA failure 100: no CUDA-capable device is detected')
    expect(nativeErrorCause('Failed to load shared library')).toBeUndefined()
    expect(nativeErrorCause('/onnxruntime_src/core/session.cc:12 something else')).toBeUndefined()
  })

  it('auto uses CUDA without a message when it works', async () => {
    const f = fakeFactory({ cuda: true, cpu: true })
    const h = await new SessionProvider(f.factory).create(model)
    expect(h.provider).toBe('cuda')
    expect(h.fallbackMessage).toBeUndefined()
    expect(eps(f.calls)).toEqual(['cuda'])
    expect(f.calls[0].intraOpNumThreads).toBe(defaultThreads())
  })

  it('auto takes WebGPU when CUDA is missing, and says so', async () => {
    const f = fakeFactory({ webgpu: true, cpu: true })
    const h = await new SessionProvider(f.factory).create(model)
    expect(h.provider).toBe('webgpu')
    expect(h.fallbackMessage).toMatch(/^No GPU is available.*CUDA is not available/)
  })

  it('an explicit device that is missing falls back to the CPU with a message naming it', async () => {
    const f = fakeFactory({ cpu: true })
    const h = await new SessionProvider(f.factory).create(model, { device: 'webgpu' })
    expect(eps(f.calls)).toEqual(['webgpu', 'cpu'])
    expect(h.provider).toBe('cpu')
    expect(h.fallbackMessage).toMatch(
      /^The WEBGPU device was asked for but the model runs on the CPU\. WebGPU is not available/,
    )
  })

  it('passes the thread count and the memory-arena and memory-pattern switches to onnxruntime', async () => {
    const f = fakeFactory({ cpu: true })
    const provider = new SessionProvider(f.factory)
    await provider.create(model, { device: 'cpu', threads: 1, memArena: false, memPattern: false })
    await provider.create(model, { device: 'cpu' })
    expect(f.calls[0]).toMatchObject({
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      enableCpuMemArena: false,
      enableMemPattern: false,
    })
    expect(f.calls[1]).toMatchObject({ enableCpuMemArena: true, enableMemPattern: true })
  })

  it('device cpu tries nothing else', async () => {
    const f = fakeFactory({ cpu: true, cuda: true })
    const h = await new SessionProvider(f.factory).create(model, { device: 'cpu' })
    expect(eps(f.calls)).toEqual(['cpu'])
    expect(h).toMatchObject({ provider: 'cpu', fallbackMessage: undefined })
  })

  it('remembers a missing provider instead of retrying it for every session', async () => {
    const f = fakeFactory({ cpu: true })
    const p = new SessionProvider(f.factory)
    await p.create(model, { device: 'cuda' })
    const again = await p.create(model, { device: 'cuda' })
    expect(eps(f.calls)).toEqual(['cuda', 'cpu', 'cpu'])
    expect(again.fallbackMessage).toMatch(/CUDA is not available/)
  })

  it('an error on the CPU itself is not swallowed', async () => {
    const f = fakeFactory({})
    await expect(new SessionProvider(f.factory).create(model, { device: 'cpu' })).rejects.toThrow(
      /cpu: Failed/,
    )
  })

  it('caches sessions by the caller’s key and releases them', async () => {
    const f = fakeFactory({ cpu: true })
    const p = new SessionProvider(f.factory)
    const a = await p.create(model, { device: 'cpu', cacheKey: 'run-1/train' })
    const b = await p.create(model, { device: 'cpu', cacheKey: 'run-1/train' })
    const c = await p.create(model, { device: 'cpu', cacheKey: 'run-1/eval' })
    expect(b.session).toBe(a.session)
    expect(c.session).not.toBe(a.session)
    expect(f.calls.length).toBe(2)
    await p.releaseAll()
    expect(f.released()).toBe(2)
    await p.create(model, { device: 'cpu', cacheKey: 'run-1/train' })
    expect(f.calls.length).toBe(3)
  })
})

describe('real onnxruntime on this machine', () => {
  it('asking for CUDA runs the model, on CUDA or on the CPU with the fallback message', async () => {
    const g = new Graph()
    const x = g.input('x', 'float32', [2])
    const bytes = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: add(x, 1) }] })
    const h = await createSession(bytes, { device: 'cuda', threads: 1 })
    if (h.provider === 'cuda') expect(h.fallbackMessage).toBeUndefined()
    else {
      expect(h.provider).toBe('cpu')
      expect(h.fallbackMessage).toMatch(
        /^The CUDA device was asked for but the model runs on the CPU\. CUDA is not available/,
      )
    }
    const r = await h.session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) })
    expect(Array.from(r.y.data as Float32Array)).toEqual([2, 3])
    await h.session.release()
  })
})
