// A restricted unpickler for PyTorch state dicts: it interprets the pickle opcodes itself and
// executes nothing. Only the globals a state dict needs are known; any other is refused by name.
import { CtsError } from '../../shared'
import { bad, shown } from './torch-zip'
import {
  OPCODE_NAMES,
  PyDict,
  PyGlobal,
  PyTuple,
  lookupGlobal,
  typeName,
  type StorageRef,
  type TensorRef,
  type TorchDtype,
  type Value,
} from './torch-pickle-values'
import { persistent, reduce, stateDict, type RebuildContext } from './torch-rebuild'

export type { StorageRef, TensorRef, TorchDtype } from './torch-pickle-values'

export interface UnpickleOptions {
  label: string
  /** Resolves ('storage', type, key, location, numel); checks the entry exists with that size. */
  storage(key: string, dtype: TorchDtype, numel: number): StorageRef
}

/** Containers deeper than this are refused: a state dict needs 3 levels (dict, tuple, tuple). */
export const MAX_PICKLE_DEPTH = 64

/** Interprets a data.pkl and returns its state dict as tensor views; refuses anything else. */
export function unpickleStateDict(pkl: Uint8Array, opts: UnpickleOptions): Map<string, TensorRef> {
  return new Unpickler(pkl, opts).run()
}

class Unpickler {
  private pos = 0
  private at = 0
  private op = 0
  private stack: Value[] = []
  private readonly metastack: Value[][] = []
  private readonly memo = new Map<number, Value>()
  private readonly depth = new WeakMap<object, number>()
  private readonly dv: DataView

  private readonly cx: RebuildContext

  constructor(
    private readonly pkl: Uint8Array,
    private readonly opts: UnpickleOptions,
  ) {
    this.dv = new DataView(pkl.buffer, pkl.byteOffset, pkl.byteLength)
    this.cx = {
      fail: (message, code) => this.fail(message, code),
      at: () => this.at,
      storage: opts.storage,
    }
  }

  private fail(message: string, code: 'bad-input' | 'unsupported' = 'bad-input'): CtsError {
    const e = bad(this.opts.label, message)
    return code === 'bad-input' ? e : new CtsError(code, e.message)
  }

  private damaged(what: string): CtsError {
    return this.fail(
      `the pickle is damaged: ${what} (opcode 0x${this.op.toString(16)} at byte ${this.at})`,
    )
  }

  private take(n: number): number {
    if (this.pos + n > this.pkl.length) throw this.damaged('it ends in the middle of an opcode')
    const p = this.pos
    this.pos += n
    return p
  }

  private line(): string {
    const end = this.pkl.indexOf(0x0a, this.pos)
    if (end < 0) throw this.damaged('a text argument has no end of line')
    const s = new TextDecoder('latin1').decode(this.pkl.subarray(this.pos, end))
    this.pos = end + 1
    return s
  }

  private text(n: number): string {
    const p = this.take(n)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.pkl.subarray(p, p + n))
    } catch {
      throw this.damaged('a string is not valid UTF-8')
    }
  }

  private pop(): Value {
    if (this.stack.length === 0) throw this.damaged('an opcode needs a value the stack lacks')
    return this.stack.pop() as Value
  }

  private popMark(): Value[] {
    const items = this.stack
    const prev = this.metastack.pop()
    if (!prev) throw this.damaged('an opcode needs a MARK that is missing')
    this.stack = prev
    return items
  }

  private depthOf(v: Value): number {
    return typeof v === 'object' && v !== null ? (this.depth.get(v) ?? 0) : 0
  }

  /** Records a container's nesting depth; a pickle that nests deeper is a bomb, not weights. */
  private nest<T extends PyTuple | PyDict | Value[]>(c: T, children: Value[]): T {
    let d = this.depth.get(c) ?? 1
    for (const v of children) d = Math.max(d, this.depthOf(v) + 1)
    if (d > MAX_PICKLE_DEPTH) {
      throw this.fail(
        `refuses to load: the pickle nests containers more than ${MAX_PICKLE_DEPTH} levels deep (at byte ${this.at}); a state dict needs 3`,
      )
    }
    this.depth.set(c, d)
    return c
  }

  private memoGet(i: number): void {
    if (!this.memo.has(i)) {
      throw this.fail(
        `refuses to load: the pickle reads memo slot ${i}, which was never filled (byte ${this.at})`,
      )
    }
    this.stack.push(this.memo.get(i) as Value)
  }

  private memoPut(i: number): void {
    if (this.stack.length === 0) throw this.damaged('PUT with an empty stack')
    this.memo.set(i, this.stack[this.stack.length - 1])
  }

  private global(module: string, name: string, opcode: string): void {
    const what = lookupGlobal(module, name)
    if (!what) {
      throw this.fail(
        `refuses to load: the pickle calls ${shown(module)}.${shown(name)} (${opcode} at byte ${this.at}), which a weights file never needs; nothing was run`,
      )
    }
    this.stack.push(new PyGlobal(`${module}.${name}`, what))
  }

  private setItem(dict: Value, key: Value, value: Value): void {
    if (!(dict instanceof PyDict)) throw this.damaged(`SETITEM on a ${typeName(dict)}`)
    if (!(key === null || ['string', 'number', 'boolean'].includes(typeof key))) {
      throw this.fail(`refuses to load: a dict key is a ${typeName(key)} (byte ${this.at})`)
    }
    const k = key as string | number | boolean | null
    if (dict.map.has(k)) {
      throw this.fail(
        `refuses to load: the pickle sets the key "${shown(String(k))}" twice in one dict (byte ${this.at}); a state dict names each weight once`,
      )
    }
    dict.map.set(k, value)
    this.nest(dict, [value])
  }

  private refused(op: number): CtsError {
    const name = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`
    if (op === 0x69) {
      // INST names a class inline: report it, still without importing anything.
      const module = this.line()
      const cls = this.line()
      return this.fail(
        `refuses to load: the pickle builds an object of ${shown(module)}.${shown(cls)} with INST (byte ${this.at}), which a weights file never needs; nothing was run`,
      )
    }
    if (op === 0x6f || op === 0x81 || op === 0x92) {
      const cls =
        op === 0x6f
          ? this.metastack.length
            ? this.stack[0]
            : null
          : this.stack[this.stack.length - (op === 0x81 ? 2 : 3)]
      return this.fail(
        `refuses to load: the pickle builds an object of ${typeName((cls ?? null) as Value)} with ${name} (byte ${this.at}), which a weights file never needs; nothing was run`,
      )
    }
    return this.fail(
      `refuses to load: the pickle uses opcode ${name} (byte ${this.at}), which a state dict never needs`,
    )
  }

  run(): Map<string, TensorRef> {
    const dv = this.dv
    for (;;) {
      if (this.pos >= this.pkl.length)
        throw this.damaged('it ends without STOP (the file is truncated)')
      this.at = this.pos
      const op = (this.op = this.pkl[this.pos++])
      switch (op) {
        case 0x80: // PROTO
          if (this.pkl[this.take(1)] > 5)
            throw this.fail('the pickle protocol is newer than 5', 'unsupported')
          break
        case 0x95: // FRAME: a length hint only
          this.take(8)
          break
        case 0x28: // MARK
          if (this.metastack.length >= MAX_PICKLE_DEPTH) {
            throw this.fail(
              `refuses to load: the pickle opens more than ${MAX_PICKLE_DEPTH} nested MARKs (byte ${this.at})`,
            )
          }
          this.metastack.push(this.stack)
          this.stack = []
          break
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.metastack.length) {
            throw this.damaged('STOP with values left over')
          }
          return stateDict(this.cx, this.stack[0])
        case 0x30: // POP
          this.pop()
          break
        case 0x31: // POP_MARK
          this.popMark()
          break
        case 0x32: {
          // DUP
          const top = this.pop()
          this.stack.push(top, top)
          break
        }
        case 0x4e: // NONE
          this.stack.push(null)
          break
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          this.stack.push(op === 0x88)
          break
        case 0x4a: // BININT
          this.stack.push(dv.getInt32(this.take(4), true))
          break
        case 0x4b: // BININT1
          this.stack.push(this.pkl[this.take(1)])
          break
        case 0x4d: // BININT2
          this.stack.push(dv.getUint16(this.take(2), true))
          break
        case 0x49: {
          // INT (protocol 0): also spells True/False as 01/00
          const s = this.line()
          if (s === '01' || s === '00') this.stack.push(s === '01')
          else if (/^-?\d{1,15}$/.test(s)) this.stack.push(Number(s))
          else throw this.damaged('INT is not a small integer')
          break
        }
        case 0x8a: // LONG1
        case 0x8b: {
          // LONG4
          const n = op === 0x8a ? this.pkl[this.take(1)] : dv.getUint32(this.take(4), true)
          if (n > 16)
            throw this.fail(
              `refuses to load: the pickle holds a ${n}-byte integer (byte ${this.at})`,
            )
          const p = this.take(n)
          let big = 0n
          for (let i = n - 1; i >= 0; i--) big = (big << 8n) | BigInt(this.pkl[p + i])
          if (n > 0 && this.pkl[p + n - 1] & 0x80) big -= 1n << BigInt(8 * n)
          const small = Number(big)
          this.stack.push(Number.isSafeInteger(small) ? small : big)
          break
        }
        case 0x47: // BINFLOAT
          this.stack.push(dv.getFloat64(this.take(8), false))
          break
        case 0x58: // BINUNICODE
          this.stack.push(this.text(dv.getUint32(this.take(4), true)))
          break
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(this.text(this.pkl[this.take(1)]))
          break
        case 0x8d: {
          // BINUNICODE8
          const n = dv.getUint32(this.take(8), true) + dv.getUint32(this.pos - 4, true) * 2 ** 32
          this.stack.push(this.text(n))
          break
        }
        case 0x29: // EMPTY_TUPLE
          this.stack.push(new PyTuple([]))
          break
        case 0x74: {
          // TUPLE
          const items = this.popMark()
          this.stack.push(this.nest(new PyTuple(items), items))
          break
        }
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84
          if (this.stack.length < n) throw this.damaged(`TUPLE${n} needs ${n} values`)
          const items = this.stack.splice(this.stack.length - n, n)
          this.stack.push(this.nest(new PyTuple(items), items))
          break
        }
        case 0x5d: // EMPTY_LIST
          this.stack.push([])
          break
        case 0x6c: {
          // LIST
          const items = this.popMark()
          this.stack.push(this.nest(items, items))
          break
        }
        case 0x61: // APPEND
        case 0x65: {
          // APPENDS
          const items = op === 0x61 ? [this.pop()] : this.popMark()
          const list = this.stack[this.stack.length - 1]
          if (!Array.isArray(list)) throw this.damaged(`APPEND to a ${typeName(list ?? null)}`)
          list.push(...items)
          this.nest(list, items)
          break
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new PyDict())
          break
        case 0x64: {
          // DICT
          const items = this.popMark()
          const d = new PyDict()
          for (let i = 0; i + 1 < items.length; i += 2) this.setItem(d, items[i], items[i + 1])
          this.stack.push(d)
          break
        }
        case 0x73: {
          // SETITEM
          const value = this.pop()
          const key = this.pop()
          this.setItem(this.stack[this.stack.length - 1] ?? null, key, value)
          break
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark()
          if (items.length % 2) throw this.damaged('SETITEMS has an odd number of values')
          const d = this.stack[this.stack.length - 1] ?? null
          for (let i = 0; i < items.length; i += 2) this.setItem(d, items[i], items[i + 1])
          break
        }
        case 0x67: // GET
          this.memoGet(Number(this.line()))
          break
        case 0x68: // BINGET
          this.memoGet(this.pkl[this.take(1)])
          break
        case 0x6a: // LONG_BINGET
          this.memoGet(dv.getUint32(this.take(4), true))
          break
        case 0x70: // PUT
          this.memoPut(Number(this.line()))
          break
        case 0x71: // BINPUT
          this.memoPut(this.pkl[this.take(1)])
          break
        case 0x72: // LONG_BINPUT
          this.memoPut(dv.getUint32(this.take(4), true))
          break
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size)
          break
        case 0x63: // GLOBAL
          this.global(this.line(), this.line(), 'GLOBAL')
          break
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop()
          const module = this.pop()
          if (typeof module !== 'string' || typeof name !== 'string') {
            throw this.damaged('STACK_GLOBAL needs two strings')
          }
          this.global(module, name, 'STACK_GLOBAL')
          break
        }
        case 0x52: {
          // REDUCE
          const args = this.pop()
          const fn = this.pop()
          this.stack.push(reduce(this.cx, fn, args))
          break
        }
        case 0x62: {
          // BUILD: only an OrderedDict's attributes (torch's `_metadata`), which we ignore
          const state = this.pop()
          const target = this.stack[this.stack.length - 1] ?? null
          if (!(target instanceof PyDict) || !(state === null || state instanceof PyDict)) {
            throw this.fail(
              `refuses to load: BUILD at byte ${this.at} sets the state of a ${typeName(target)}, which a state dict never does`,
            )
          }
          break
        }
        case 0x51: // BINPERSID
          this.stack.push(persistent(this.cx, this.pop()))
          break
        default:
          throw this.refused(op)
      }
    }
  }
}
