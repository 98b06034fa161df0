// What the restricted unpickler does where torch.load would call code: REDUCE on the allowed
// globals, persistent ids of storages, and the final check that the result is a state dict.
import type { CtsError } from '../../shared'
import { shown } from './torch-zip'
import {
  PyDict,
  PyGlobal,
  PyTuple,
  typeName,
  type StorageRef,
  type TensorRef,
  type TorchDtype,
  type Value,
} from './torch-pickle-values'

/** How rebuild errors are raised: with the caller's label and the opcode's byte position. */
export interface RebuildContext {
  fail(message: string, code?: 'bad-input' | 'unsupported'): CtsError
  at(): number
  /** Resolves ('storage', type, key, location, numel); checks the entry exists with that size. */
  storage(key: string, dtype: TorchDtype, numel: number): StorageRef
}

function isTensor(v: Value): v is TensorRef {
  return typeof v === 'object' && v !== null && 'kind' in v && v.kind === 'tensor'
}

function int(cx: RebuildContext, v: Value, what: string): number {
  if (typeof v === 'bigint') {
    throw cx.fail(`refuses to load: the tensor ${what} ${v} overflows (byte ${cx.at()})`)
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw cx.fail(`refuses to load: the tensor ${what} is a ${typeName(v)}, not an integer`)
  }
  if (v < 0) {
    throw cx.fail(`refuses to load: the tensor has a negative ${what} ${v} (byte ${cx.at()})`)
  }
  return v
}

function ints(cx: RebuildContext, v: Value, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null
  if (!items || items.length > 32) {
    throw cx.fail(
      `refuses to load: the tensor ${what}s are not a tuple of at most 32 integers (byte ${cx.at()})`,
    )
  }
  return items.map((x) => int(cx, x, what))
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta]). */
function rebuildTensor(cx: RebuildContext, args: Value[]): TensorRef {
  if (args.length !== 6 && args.length !== 7) {
    throw cx.fail(`refuses to load: _rebuild_tensor_v2 gets ${args.length} arguments, not 6 or 7`)
  }
  const [storage, off, size, stride, , hooks, meta] = args
  if (typeof storage !== 'object' || storage === null || !('kind' in storage)) {
    throw cx.fail(
      `refuses to load: a tensor is built on a ${typeName(storage)}, not a storage (byte ${cx.at()})`,
    )
  }
  if (storage.kind !== 'storage') {
    throw cx.fail(`refuses to load: a tensor is built on a ${storage.kind}, not a storage`)
  }
  const offset = int(cx, off, 'storage offset')
  const shape = ints(cx, size, 'size')
  const strides = ints(cx, stride, 'stride')
  if (shape.length !== strides.length) {
    throw cx.fail(
      `refuses to load: a tensor has ${shape.length} sizes but ${strides.length} strides (byte ${cx.at()})`,
    )
  }
  const emptyMeta =
    meta === undefined || meta === null || (meta instanceof PyDict && !meta.map.size)
  if (!(hooks instanceof PyDict) || hooks.map.size > 0 || !emptyMeta) {
    throw cx.fail(
      `refuses to load: a tensor carries backward hooks or metadata (byte ${cx.at()})`,
      'unsupported',
    )
  }
  let count = 1
  let last = offset
  for (let i = 0; i < shape.length; i++) {
    count *= shape[i]
    if (shape[i] > 0) last += (shape[i] - 1) * strides[i]
  }
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(last)) {
    throw cx.fail(
      `refuses to load: a tensor's sizes [${shape.join(', ')}] and strides [${strides.join(', ')}] overflow (byte ${cx.at()})`,
    )
  }
  const needs = count === 0 ? offset : last + 1
  if (needs > storage.numel) {
    throw cx.fail(
      `refuses to load: a tensor of shape [${shape.join(', ')}] needs ${needs} elements of storage "${shown(storage.key)}", which holds only ${storage.numel} (byte ${cx.at()})`,
    )
  }
  return { kind: 'tensor', storage, offset, shape, stride: strides }
}

/** REDUCE: calls one of the allowed rebuilders; anything else is refused by name. */
export function reduce(cx: RebuildContext, fn: Value, args: Value): Value {
  if (!(fn instanceof PyGlobal)) {
    throw cx.fail(
      `refuses to load: REDUCE at byte ${cx.at()} calls a ${typeName(fn)}, which is not a function`,
    )
  }
  if (!(args instanceof PyTuple)) {
    throw cx.fail(
      `refuses to load: REDUCE at byte ${cx.at()} passes a ${typeName(args)} as arguments`,
    )
  }
  const a = args.items
  switch (fn.what.kind) {
    case 'ordered-dict':
      if (a.length !== 0) {
        throw cx.fail(`refuses to load: OrderedDict is called with arguments (byte ${cx.at()})`)
      }
      return new PyDict()
    case 'rebuild-tensor':
      return rebuildTensor(cx, a)
    case 'rebuild-parameter':
      // _rebuild_parameter(data, requires_grad, hooks[, state]): the data tensor is what we keep.
      if (a.length !== fn.what.arity || !isTensor(a[0])) {
        throw cx.fail(
          `refuses to load: ${fn.path} gets arguments that are not a tensor parameter (byte ${cx.at()})`,
        )
      }
      return a[0]
    default:
      throw cx.fail(
        `refuses to load: REDUCE calls ${fn.path} (byte ${cx.at()}), which a state dict never does`,
      )
  }
}

/** BINPERSID: ('storage', storage type, key, location, numel); the location (cuda:0…) is ignored. */
export function persistent(cx: RebuildContext, pid: Value): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : []
  const [tag, type, key, location, numel] = items
  if (items.length !== 5 || tag !== 'storage') {
    throw cx.fail(
      `refuses to load: a persistent id is not ('storage', type, key, location, size) (byte ${cx.at()})`,
    )
  }
  if (!(type instanceof PyGlobal) || type.what.kind !== 'storage-type') {
    throw cx.fail(
      `refuses to load: a storage has type ${typeName(type)}, not a torch storage type (byte ${cx.at()})`,
    )
  }
  if (
    typeof key !== 'string' ||
    !/^[A-Za-z0-9_]{1,64}$/.test(key) ||
    typeof location !== 'string'
  ) {
    throw cx.fail(
      `refuses to load: the storage key "${shown(String(key))}" is not a plain name (byte ${cx.at()})`,
    )
  }
  return cx.storage(key, type.what.dtype, int(cx, numel, 'storage size'))
}

/** The unpickled value must be a dict of tensors (an OrderedDict or a plain dict). */
export function stateDict(cx: RebuildContext, top: Value): Map<string, TensorRef> {
  if (!(top instanceof PyDict)) {
    throw cx.fail(`holds a ${typeName(top)}, not a state dict of tensors`, 'unsupported')
  }
  const out = new Map<string, TensorRef>()
  for (const [k, v] of top.map) {
    if (typeof k !== 'string') {
      throw cx.fail(`the state dict has a key of type ${typeName(k)}; weight names are strings`)
    }
    if (!isTensor(v)) {
      throw cx.fail(
        `the state dict entry "${shown(k)}" is a ${typeName(v)}, not a tensor; only state dicts of tensors can be read`,
        'unsupported',
      )
    }
    out.set(k, v)
  }
  return out
}
