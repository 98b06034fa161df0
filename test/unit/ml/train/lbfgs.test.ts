// L-BFGS on objectives with known minima: a coupled quadratic and Rosenbrock's valley.
import { describe, expect, it } from 'vitest'
import { minimizeLbfgs } from '../../../../main/ml/train/lbfgs'

const opts = { maxIterations: 500, gradientTolerance: 1e-6, valueTolerance: 0, memory: 6 }

describe('minimizeLbfgs', () => {
  it('finds the minimum of a coupled quadratic', async () => {
    // f = Σ a_i (x_i − b_i)² + (x_0 − x_1)²: its minimum solves a 2×2 system in x_0, x_1.
    const a = [1, 10, 0.5, 3]
    const b = [1, -2, 3, 0.25]
    const f = async (x: Float32Array) => {
      let value = (x[0] - x[1]) ** 2
      const gradient = new Float32Array(4)
      a.forEach((ai, i) => {
        value += ai * (x[i] - b[i]) ** 2
        gradient[i] = 2 * ai * (x[i] - b[i])
      })
      gradient[0] += 2 * (x[0] - x[1])
      gradient[1] -= 2 * (x[0] - x[1])
      return { value, gradient }
    }
    const r = await minimizeLbfgs(f, new Float32Array(4), opts)
    // (a0 + 1) x0 − x1 = a0 b0 and −x0 + (a1 + 1) x1 = a1 b1, solved by Cramer’s rule:
    const det = (a[0] + 1) * (a[1] + 1) - 1
    const x0 = (a[0] * b[0] * (a[1] + 1) + a[1] * b[1]) / det
    const x1 = (a[1] * b[1] * (a[0] + 1) + a[0] * b[0]) / det
    expect(r.converged).toBe(true)
    expect([...r.x].map((v) => Number(v.toFixed(4)))).toEqual(
      [x0, x1, b[2], b[3]].map((v) => Number(v.toFixed(4))),
    )
  })

  it("follows Rosenbrock's valley to (1, 1)", async () => {
    const f = async (x: Float32Array) => {
      const [u, v] = x
      return {
        value: (1 - u) ** 2 + 100 * (v - u * u) ** 2,
        gradient: Float32Array.of(-2 * (1 - u) - 400 * u * (v - u * u), 200 * (v - u * u)),
      }
    }
    const r = await minimizeLbfgs(f, Float32Array.of(-1.2, 1), { ...opts, gradientTolerance: 1e-4 })
    expect(r.converged).toBe(true)
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-3)
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(2e-3)
    expect(r.iterations).toBeLessThan(100)
  })

  it('stops when the checkpoint throws (cancellation)', async () => {
    let calls = 0
    const f = async (x: Float32Array) => ({
      value: x[0] * x[0],
      gradient: Float32Array.of(2 * x[0]),
    })
    await expect(
      minimizeLbfgs(f, Float32Array.of(5), {
        ...opts,
        checkpoint: () => {
          if (++calls === 2) throw new Error('cancelled')
        },
      }),
    ).rejects.toThrow('cancelled')
    expect(calls).toBe(2)
  })
})
