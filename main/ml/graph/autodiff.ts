// Reverse-mode automatic differentiation on the IR: walks the graph from the loss backwards,
// applying each op's vector-Jacobian product (op-defs/); integer, bool and shape values carry no
// gradient.
import type { Tensor } from './ir'
import { opDef } from './op-defs/registry'
import { add, expand, scalar, shapeOf, zerosLike } from './ops'

/** Topological order (inputs first) of everything `roots` depend on. */
export function topoOrder(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = []
  const done = new Set<Tensor>()
  for (const root of roots) {
    const stack: [Tensor, boolean][] = [[root, false]]
    while (stack.length) {
      const [t, expanded] = stack.pop()!
      if (done.has(t)) continue
      if (expanded || t.source.kind !== 'op') {
        done.add(t)
        order.push(t)
        continue
      }
      stack.push([t, true])
      for (const i of t.source.inputs) if (!done.has(i)) stack.push([i, false])
    }
  }
  return order
}

/** d loss / d w for each w in wrt (zeros where the loss does not depend on w). */
export function grad(loss: Tensor, wrt: Tensor[]): Tensor[] {
  if (loss.dtype !== 'float32') throw new Error('grad: the loss must be float32')
  for (const w of wrt) {
    if (w.graph !== loss.graph) throw new Error('grad: wrt tensors come from another graph')
    if (w.dtype !== 'float32') throw new Error(`grad: ${w} is not float32`)
  }
  const order = topoOrder([loss])
  const targets = new Set(wrt)
  // Only float tensors that depend on a target need a gradient.
  const needs = new Set<Tensor>()
  for (const t of order) {
    if (t.dtype !== 'float32') continue
    if (targets.has(t) || (t.source.kind === 'op' && t.source.inputs.some((i) => needs.has(i)))) {
      needs.add(t)
    }
  }
  const grads = new Map<Tensor, Tensor>()
  grads.set(loss, loss.rank === 0 ? scalar(loss, 1) : expand(scalar(loss, 1), shapeOf(loss)))
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]
    const g = grads.get(t)
    const src = t.source
    if (!g || src.kind !== 'op' || !needs.has(t)) continue
    if (!src.inputs.some((i) => needs.has(i))) continue
    const { vjp, notDifferentiable } = opDef(src.op)
    if (!vjp) {
      throw new Error(`grad: no gradient is defined for ${src.op} (${t}): ${notDifferentiable}`)
    }
    const inGrads = vjp(t, g, src)
    src.inputs.forEach((input, i) => {
      const gi = inGrads[i]
      if (!gi || !needs.has(input)) return
      const prev = grads.get(input)
      grads.set(input, prev ? add(prev, gi) : gi)
    })
  }
  return wrt.map((w) => grads.get(w) ?? zerosLike(w))
}
