// The values a restricted unpickle of a PyTorch state dict can produce, and the short list of
// globals it knows: OrderedDict, the tensor/parameter rebuilders, storage types and dtypes.
export type TorchDtype =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool'

/** A persistent id resolved by the caller: the zip entry `data/<key>` seen as `numel` elements. */
export interface StorageRef {
  kind: 'storage'
  key: string
  dtype: TorchDtype
  numel: number
}

/** What torch._utils._rebuild_tensor_v2 would build: a strided view of a storage. */
export interface TensorRef {
  kind: 'tensor'
  storage: StorageRef
  offset: number
  shape: number[]
  stride: number[]
}

const STORAGES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  // An untyped storage is bytes: torch.load reads it as uint8.
  UntypedStorage: 'uint8',
}
const DTYPES: Record<string, TorchDtype> = {
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
}

export type GlobalKind =
  | { kind: 'ordered-dict' }
  | { kind: 'rebuild-tensor' }
  | { kind: 'rebuild-parameter'; arity: number }
  | { kind: 'storage-type'; dtype: TorchDtype }
  | { kind: 'dtype'; dtype: TorchDtype }

export class PyGlobal {
  constructor(
    readonly path: string,
    readonly what: GlobalKind,
  ) {}
}
export class PyTuple {
  constructor(readonly items: Value[]) {}
}
export class PyDict {
  readonly map = new Map<string | number | boolean | null, Value>()
}
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyGlobal
  | PyTuple
  | PyDict
  | Value[]
  | StorageRef
  | TensorRef

export function lookupGlobal(module: string, name: string): GlobalKind | null {
  const path = `${module}.${name}`
  if (path === 'collections.OrderedDict') return { kind: 'ordered-dict' }
  if (path === 'torch._utils._rebuild_tensor_v2') return { kind: 'rebuild-tensor' }
  if (path === 'torch._utils._rebuild_parameter') return { kind: 'rebuild-parameter', arity: 3 }
  if (path === 'torch._utils._rebuild_parameter_with_state')
    return { kind: 'rebuild-parameter', arity: 4 }
  if (module === 'torch' && Object.hasOwn(STORAGES, name))
    return { kind: 'storage-type', dtype: STORAGES[name] }
  if (module === 'torch' && Object.hasOwn(DTYPES, name))
    return { kind: 'dtype', dtype: DTYPES[name] }
  return null
}

export function typeName(v: Value): string {
  if (v === null) return 'None'
  if (Array.isArray(v)) return 'list'
  if (v instanceof PyGlobal) return v.path
  if (v instanceof PyTuple) return 'tuple'
  if (v instanceof PyDict) return 'dict'
  if (typeof v === 'object') return v.kind
  if (typeof v === 'string') return 'str'
  return typeof v === 'boolean' ? 'bool' : 'int'
}

/** Opcode names, for messages about opcodes a state dict never uses. */
export const OPCODE_NAMES: Record<number, string> = {
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x4c: 'LONG',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x8e: 'BINBYTES8',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
}
