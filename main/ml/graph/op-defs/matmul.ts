// The batched matrix product (leading dims broadcast, as numpy's matmul).
import type { Tensor } from '../ir'
import { matmul, reshape, transpose } from '../ops'
import { broadcastShapes } from '../shape'
import { reduceSumTo, swapLast } from './grad-helpers'
import type { OpDef } from './op-def'

export const MATMUL_OPS = {
  MatMul: {
    shape: ([a, b]) => {
      if (a.rank < 2 || b.rank < 2) throw new Error('matmul: operands must have rank >= 2')
      const [m, ka] = a.shape.slice(-2)
      const [kb, n] = b.shape.slice(-2)
      if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
        throw new Error(`matmul: inner dims ${ka} and ${kb} differ`)
      }
      const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul')
      return { dtype: 'float32', shape: [...batch, m, n] }
    },
    vjp: (_y, g, { inputs: [a, b] }) => {
      const da = reduceSumTo(matmul(g, swapLast(b)), a.shape)
      let db: Tensor
      if (
        b.rank === 2 &&
        a.rank > 2 &&
        typeof b.shape[0] === 'number' &&
        typeof b.shape[1] === 'number'
      ) {
        // Weight gradient of x[..., K] @ W[K, N]: one 2-D product over all leading rows.
        const a2 = reshape(a, [-1, b.shape[0]])
        const g2 = reshape(g, [-1, b.shape[1]])
        db = matmul(transpose(a2, [1, 0]), g2)
      } else db = reduceSumTo(matmul(swapLast(a), g), b.shape)
      return [da, db]
    },
  },
} satisfies Record<string, OpDef>
