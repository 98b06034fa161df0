// Every op of the IR, by name. OpType (the names) is derived from this object, so the node
// builder rejects a misspelt op at compile time; each entry is an OpDef (shape rule, ONNX
// emission, VJP or `notDifferentiable`). To add an op, add an entry to one family file.
import { ELEMENTWISE_OPS } from './elementwise'
import { GELU_OPS } from './gelu'
import { INDEXING_OPS } from './indexing'
import { LAYOUT_OPS } from './layout'
import { MATMUL_OPS } from './matmul'
import { NORM_OPS } from './norm'
import type { OpDef } from './op-def'
import { REDUCE_OPS } from './reduce'

export const OPS = {
  ...ELEMENTWISE_OPS,
  ...MATMUL_OPS,
  ...REDUCE_OPS,
  ...LAYOUT_OPS,
  ...INDEXING_OPS,
  ...NORM_OPS,
  ...GELU_OPS,
}

/** The name of an op of the IR (its ONNX op type). */
export type OpType = keyof typeof OPS

/** The definition of an op, seen through the common OpDef type. */
export function opDef(op: OpType): OpDef {
  // Only untyped callers (plain JS, casts) can reach the throw.
  const def: OpDef | undefined = OPS[op]
  if (!def) throw new Error(`unknown op '${op}'`)
  return def
}
