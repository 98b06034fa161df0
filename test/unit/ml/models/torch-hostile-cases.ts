// Hostile PyTorch checkpoints, built by torch-builder.ts: each case is a recipe for a crafted file
// and the exact message it must be refused with. Payloads that would run create `marker`.
import {
  Pickle,
  checkpoint,
  f32,
  pushTensor,
  simpleCheckpoint,
  stateDictPickle,
  zipArchive,
  type TensorSpec,
} from './torch-builder'

export interface HostileCase {
  name: string
  build(marker: string): Uint8Array
  message: string
  code?: 'bad-input' | 'unsupported'
}

const W: TensorSpec = { name: 'w', key: '0', numel: 4, shape: [4] }
const ok = f32([1, 2, 3, 4])

/** A state dict whose first value is whatever `value` pushes (the payload sits where a tensor would). */
function payloadDict(value: (p: Pickle) => void): Uint8Array {
  const p = new Pickle().proto().emptyDict().str('w')
  value(p)
  return checkpoint(p.setitem().stop().bytes(), { '0': ok })
}

const withPickle = (build: (p: Pickle) => Pickle) =>
  checkpoint(build(new Pickle().proto()).stop().bytes(), { '0': ok })

export const HOSTILE: HostileCase[] = [
  {
    name: 'GLOBAL os.system called with REDUCE',
    build: (m) => payloadDict((p) => p.call('os', 'system', (q) => q.str(`touch ${m}`))),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls os.system (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'STACK_GLOBAL os.system',
    build: (m) =>
      payloadDict((p) => p.stackGlobal('os', 'system').mark().str(`touch ${m}`).tuple().reduce()),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls os.system (STACK_GLOBAL at byte 27), which a weights file never needs; nothing was run',
  },
  {
    name: 'builtins.eval',
    build: (m) =>
      payloadDict((p) =>
        p.call('builtins', 'eval', (q) => q.str(`__import__('os').system('touch ${m}')`)),
      ),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls builtins.eval (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'builtins.exec writing a file',
    build: (m) => payloadDict((p) => p.call('builtins', 'exec', (q) => q.str(`open('${m}','w')`))),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls builtins.exec (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'Python 2 spelling __builtin__.eval',
    build: (m) =>
      payloadDict((p) => p.call('__builtin__', 'eval', (q) => q.str(`open('${m}','w')`))),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls __builtin__.eval (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'subprocess.Popen through STACK_GLOBAL',
    build: (m) =>
      payloadDict((p) =>
        p
          .stackGlobal('subprocess', 'Popen')
          .mark()
          .mark()
          .str('touch')
          .str(m)
          .raw(0x6c)
          .tuple()
          .reduce(),
      ),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls subprocess.Popen (STACK_GLOBAL at byte 34), which a weights file never needs; nothing was run',
  },
  {
    name: 'posix.system',
    build: (m) => payloadDict((p) => p.call('posix', 'system', (q) => q.str(`touch ${m}`))),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls posix.system (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'posix.execv hidden as a storage type',
    build: (m) =>
      withPickle((p) =>
        p
          .emptyDict()
          .str('w')
          .mark()
          .str('storage')
          .global('posix', 'execv')
          .str(m)
          .str('cpu')
          .int(4),
      ),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls posix.execv (GLOBAL at byte 22), which a weights file never needs; nothing was run',
  },
  {
    name: 'torch.storage._load_from_bytes (a nested legacy torch.load)',
    build: () => payloadDict((p) => p.call('torch.storage', '_load_from_bytes', (q) => q.str('x'))),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls torch.storage._load_from_bytes (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'builtins.getattr reaching past the allow list',
    build: () =>
      payloadDict((p) =>
        p.call('builtins', 'getattr', (q) =>
          q.global('collections', 'OrderedDict').str('fromkeys'),
        ),
      ),
    message:
      'pytorch_model.bin: refuses to load: the pickle calls builtins.getattr (GLOBAL at byte 9), which a weights file never needs; nothing was run',
  },
  {
    name: 'INST os.system',
    // The command precedes INST, so it is padded to a fixed length ('///tmp' is '/tmp') to keep
    // the byte position in the message the same wherever the temp folder lies.
    build: (m) =>
      payloadDict((p) =>
        p
          .mark()
          .str(`touch ${m.padStart(200, '/')}`)
          .raw(0x69, ...new TextEncoder().encode('os\nsystem\n')),
      ),
    message:
      'pytorch_model.bin: refuses to load: the pickle builds an object of os.system with INST (byte 221), which a weights file never needs; nothing was run',
  },
  {
    name: 'OBJ on an allowed class',
    build: () => payloadDict((p) => p.mark().global('collections', 'OrderedDict').raw(0x6f)),
    message:
      'pytorch_model.bin: refuses to load: the pickle builds an object of collections.OrderedDict with OBJ (byte 35), which a weights file never needs; nothing was run',
  },
  {
    name: 'NEWOBJ on an allowed class',
    build: () => payloadDict((p) => p.global('collections', 'OrderedDict').emptyTuple().raw(0x81)),
    message:
      'pytorch_model.bin: refuses to load: the pickle builds an object of collections.OrderedDict with NEWOBJ (byte 35), which a weights file never needs; nothing was run',
  },
  {
    name: 'NEWOBJ_EX',
    build: () =>
      payloadDict((p) => p.global('collections', 'OrderedDict').emptyTuple().emptyDict().raw(0x92)),
    message:
      'pytorch_model.bin: refuses to load: the pickle builds an object of collections.OrderedDict with NEWOBJ_EX (byte 36), which a weights file never needs; nothing was run',
  },
  {
    name: 'REDUCE on an allowed global that is not a function',
    build: () =>
      payloadDict((p) => p.global('torch', 'FloatStorage').mark().int(4).tuple().reduce()),
    message:
      'pytorch_model.bin: refuses to load: REDUCE calls torch.FloatStorage (byte 33), which a state dict never does',
  },
  {
    name: 'REDUCE on a string',
    build: () => payloadDict((p) => p.str('os.system').emptyTuple().reduce()),
    message:
      'pytorch_model.bin: refuses to load: REDUCE at byte 24 calls a str, which is not a function',
  },
  {
    name: 'BUILD on a tensor',
    build: () => payloadDict((p) => pushTensor(p, W).emptyDict().build()),
    message:
      'pytorch_model.bin: refuses to load: BUILD at byte 135 sets the state of a tensor, which a state dict never does',
  },
  {
    name: 'EXT1 (the copyreg extension registry)',
    build: () => payloadDict((p) => p.raw(0x82, 1)),
    message:
      'pytorch_model.bin: refuses to load: the pickle uses opcode EXT1 (byte 9), which a state dict never needs',
  },
  {
    name: 'a truncated zip',
    build: () => simpleCheckpoint({ numel: 4, shape: [4] }).slice(0, 300),
    message:
      'pytorch_model.bin: the file is truncated: it starts as a zip archive but its end-of-archive record is missing (the download or copy was cut short; fetch the file again)',
  },
  {
    name: 'an entry that claims more stored bytes than the archive holds',
    build: () =>
      zipArchive([
        { name: 'a/data.pkl', data: stateDictPickle([W]) },
        { name: 'a/data/0', data: f32([1, 2]), declaredStored: 16, declaredSize: 16 },
      ]),
    message:
      'pytorch_model.bin: is truncated: the file ends inside the zip entry "a/data/0" (the download or copy was cut short)',
  },
  {
    name: 'a decompression bomb (declared size lies)',
    build: () =>
      zipArchive([
        { name: 'a/data.pkl', data: stateDictPickle([W]) },
        { name: 'a/data/0', data: new Uint8Array(1 << 20), deflate: true, declaredSize: 16 },
      ]),
    message:
      'pytorch_model.bin: refuses to load: the zip entry "a/data/0" inflates to more than the 16 bytes it declares (a decompression bomb or a damaged file)',
  },
  {
    name: 'a stored entry whose stored size differs from its size',
    build: () =>
      zipArchive([
        { name: 'a/data.pkl', data: stateDictPickle([W]) },
        { name: 'a/data/0', data: ok, declaredStored: 8 },
      ]),
    message:
      'pytorch_model.bin: refuses to load: the zip entry "a/data/0" declares 16 bytes but stores 8',
  },
  {
    name: 'a path-traversal entry name',
    build: () =>
      checkpoint(
        stateDictPickle([W]),
        { '0': ok },
        { extra: [{ name: '../../../tmp/evil', data: ok }] },
      ),
    message:
      'pytorch_model.bin: refuses to load: the zip entry "../../../tmp/evil" points outside the archive (path traversal), which a checkpoint never does',
  },
  {
    name: 'an absolute entry name',
    build: () =>
      checkpoint(
        stateDictPickle([W]),
        { '0': ok },
        { extra: [{ name: '/etc/cron.d/x', data: ok }] },
      ),
    message:
      'pytorch_model.bin: refuses to load: the zip entry "/etc/cron.d/x" points outside the archive (path traversal), which a checkpoint never does',
  },
  {
    name: 'a storage shorter than shape × stride needs',
    build: () => simpleCheckpoint({ numel: 4, shape: [3, 4] }),
    message:
      'pytorch_model.bin: refuses to load: a tensor of shape [3, 4] needs 12 elements of storage "0", which holds only 4 (byte 164)',
  },
  {
    name: 'an offset past the end of the storage',
    build: () => simpleCheckpoint({ numel: 4, offset: 3, shape: [2] }),
    message:
      'pytorch_model.bin: refuses to load: a tensor of shape [2] needs 5 elements of storage "0", which holds only 4 (byte 160)',
  },
  {
    name: 'a storage entry smaller than its declared element count',
    build: () => checkpoint(stateDictPickle([{ ...W, numel: 8, shape: [8] }]), { '0': ok }),
    message:
      'pytorch_model.bin: refuses to load: storage "0" should hold 8 float32 values but its entry has 16 bytes',
  },
  {
    name: 'a negative stride',
    build: () => simpleCheckpoint({ numel: 4, offset: 3, shape: [4], stride: [-1] }),
    message: 'pytorch_model.bin: refuses to load: the tensor has a negative stride -1 (byte 163)',
  },
  {
    name: 'a negative size',
    build: () => simpleCheckpoint({ numel: 4, shape: [-4], stride: [1] }),
    message: 'pytorch_model.bin: refuses to load: the tensor has a negative size -4 (byte 163)',
  },
  {
    name: 'a negative storage offset',
    build: () => simpleCheckpoint({ numel: 4, offset: -8, shape: [4] }),
    message:
      'pytorch_model.bin: refuses to load: the tensor has a negative storage offset -8 (byte 163)',
  },
  {
    name: 'a size beyond 2^64',
    build: () => simpleCheckpoint({ numel: 4, shape: [2n ** 70n], stride: [0] }),
    message:
      'pytorch_model.bin: refuses to load: the tensor size 1180591620717411303424 overflows (byte 169)',
  },
  {
    name: 'sizes whose product overflows',
    build: () => simpleCheckpoint({ numel: 4, shape: [2 ** 40, 2 ** 40], stride: [0, 0] }),
    message:
      "pytorch_model.bin: refuses to load: a tensor's sizes [1099511627776, 1099511627776] and strides [0, 0] overflow (byte 176)",
  },
  {
    name: 'a memo index out of range',
    build: () => payloadDict((p) => p.get(7)),
    message:
      'pytorch_model.bin: refuses to load: the pickle reads memo slot 7, which was never filled (byte 9)',
  },
  {
    name: 'a nesting-depth bomb',
    build: () =>
      payloadDict((p) => {
        // ((((…[]…),),),): each TUPLE1 wraps the value below it one level deeper.
        p.emptyList()
        for (let i = 0; i < 100; i++) p.tuple1()
      }),
    message:
      'pytorch_model.bin: refuses to load: the pickle nests containers more than 64 levels deep (at byte 74); a state dict needs 3',
  },
  {
    name: 'a MARK bomb',
    build: () => payloadDict((p) => p.raw(...new Array<number>(100_000).fill(0x28))),
    message:
      'pytorch_model.bin: refuses to load: the pickle opens more than 64 nested MARKs (byte 73)',
  },
  {
    name: 'a weight named twice',
    build: () => checkpoint(stateDictPickle([W, W]), { '0': ok }),
    message:
      'pytorch_model.bin: refuses to load: the pickle sets the key "w" twice in one dict (byte 292); a state dict names each weight once',
  },
  {
    name: 'a zip entry named twice',
    build: () =>
      checkpoint(
        stateDictPickle([W]),
        { '0': ok },
        { extra: [{ name: 'archive/data/0', data: ok }] },
      ),
    message: 'pytorch_model.bin: refuses to load: the zip holds the entry "archive/data/0" twice',
  },
  {
    name: 'a storage the archive lacks',
    build: () => checkpoint(stateDictPickle([{ ...W, key: '9' }]), { '0': ok }),
    message:
      'pytorch_model.bin: refuses to load: the pickle refers to storage "9", which the archive lacks',
  },
  {
    name: 'a storage key that is a path',
    build: () => checkpoint(stateDictPickle([{ ...W, key: '../0' }]), { '0': ok }),
    message:
      'pytorch_model.bin: refuses to load: the storage key "../0" is not a plain name (byte 123)',
  },
  {
    name: 'one storage read as two dtypes',
    build: () =>
      checkpoint(
        stateDictPickle([W, { name: 'v', key: '0', type: 'HalfStorage', numel: 8, shape: [8] }]),
        { '0': ok },
      ),
    message:
      'pytorch_model.bin: refuses to load: storage "0" is declared as 4 float32 and as 8 float16',
  },
  {
    name: 'a dtype global posing as a storage type',
    build: () => checkpoint(stateDictPickle([{ ...W, type: 'float32' }]), { '0': ok }),
    message:
      'pytorch_model.bin: refuses to load: a storage has type torch.float32, not a torch storage type (byte 115)',
  },
  {
    name: 'a tensor with backward hooks',
    build: () =>
      payloadDict((p) => {
        p.global('torch._utils', '_rebuild_tensor_v2').mark()
        p.mark()
          .str('storage')
          .global('torch', 'FloatStorage')
          .str('0')
          .str('cpu')
          .int(4)
          .tuple()
          .persid()
        p.int(0).mark().int(4).tuple().mark().int(1).tuple().bool(false)
        p.global('collections', 'OrderedDict').emptyTuple().reduce().int(0).str('hook').setitem()
        p.tuple().reduce()
      }),
    message:
      'pytorch_model.bin: refuses to load: a tensor carries backward hooks or metadata (byte 145)',
    code: 'unsupported',
  },
  {
    name: 'a damaged checksum',
    build: () =>
      zipArchive([
        { name: 'a/data.pkl', data: stateDictPickle([W]) },
        { name: 'a/data/0', data: ok, crc: 12345 },
      ]),
    message:
      'pytorch_model.bin: the zip entry "a/data/0" is damaged: its checksum does not match (fetch the file again)',
  },
  {
    name: 'a pickle without STOP',
    build: () => checkpoint(stateDictPickle([W]).slice(0, -1), { '0': ok }),
    message:
      'pytorch_model.bin: the pickle is damaged: it ends without STOP (the file is truncated) (opcode 0x62 at byte 201)',
  },
  {
    name: 'a list instead of a state dict',
    build: () => withPickle((p) => p.emptyList()),
    message: 'pytorch_model.bin: holds a list, not a state dict of tensors',
    code: 'unsupported',
  },
  {
    name: 'a state dict entry that is not a tensor',
    build: () => payloadDict((p) => p.str('rm -rf /')),
    message:
      'pytorch_model.bin: the state dict entry "w" is a str, not a tensor; only state dicts of tensors can be read',
    code: 'unsupported',
  },
  {
    name: 'an int32 weight (not a buffer we skip)',
    build: () => checkpoint(stateDictPickle([{ ...W, type: 'IntStorage' }]), { '0': ok }),
    message:
      'pytorch_model.bin: tensor "w" has dtype int32, which is not supported (supported: float32, float16, bfloat16, float64)',
    code: 'unsupported',
  },
  {
    name: 'a zip without data.pkl',
    build: () => zipArchive([{ name: 'a/data/0', data: ok }]),
    message: 'pytorch_model.bin: is a zip archive but not a PyTorch checkpoint: it has no data.pkl',
  },
  {
    name: 'the legacy (pre-1.6) format',
    build: () =>
      new Uint8Array([
        0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
      ]),
    message:
      'pytorch_model.bin is in the legacy PyTorch format (saved by torch older than 1.6, or with _use_new_zipfile_serialization=False), which cannot be read without running Python code. ' +
      'Re-save it with a current PyTorch (torch.save(torch.load(path, weights_only=True), path)) or convert it to ' +
      'model.safetensors (model.save_pretrained(folder, safe_serialization=True)), then import the folder again.',
    code: 'unsupported',
  },
]
