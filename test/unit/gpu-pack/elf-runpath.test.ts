// readRunpath: the small ELF reader that checks what patchelf wrote (DT_RUNPATH, else DT_RPATH),
// on tiny shared objects compiled here, the app's own libonnxruntime.so.1, and refused headers.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readRunpath } from '../../../main/services/gpu-pack'

const tmp = mkdtempSync(join(tmpdir(), 'cts-elf-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function so(name: string, ...ldflags: string[]): string {
  const src = join(tmp, `${name}.c`)
  writeFileSync(src, 'int cts_elf_probe(void) { return 7; }\n')
  const out = join(tmp, `${name}.so`)
  execFileSync('cc', ['-shared', '-fPIC', '-o', out, src, ...ldflags])
  return out
}

describe('readRunpath', () => {
  it('reads DT_RUNPATH, DT_RPATH, or null when neither is set', () => {
    expect(readRunpath(so('runpath', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib'))).toBe(
      '$ORIGIN/../lib',
    )
    expect(readRunpath(so('rpath', '-Wl,--disable-new-dtags,-rpath,/opt/cts/lib'))).toBe(
      '/opt/cts/lib',
    )
    expect(readRunpath(so('plain'))).toBeNull()
  })

  it('reads a long RUNPATH whole', () => {
    const long = Array.from({ length: 40 }, (_, i) => `/opt/cts/lib-${i}`).join(':')
    expect(long.length).toBeGreaterThan(600)
    expect(readRunpath(so('long', `-Wl,--enable-new-dtags,-rpath,${long}`))).toBe(long)
  })

  it('reads what patchelf --set-rpath wrote (it moves the string table)', () => {
    const lib = so('patched')
    execFileSync('patchelf', ['--set-rpath', '$ORIGIN', lib])
    expect(readRunpath(lib)).toBe('$ORIGIN')
  })

  it("reads onnxruntime-node's own library: RUNPATH $ORIGIN", () => {
    const lib = join(
      __dirname,
      '../../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    )
    expect(readRunpath(lib)).toBe('$ORIGIN')
  })

  it('refuses what is not a 64-bit little-endian ELF file', () => {
    const text = join(tmp, 'notes.txt')
    writeFileSync(text, 'not a library, 不是库')
    expect(() => readRunpath(text)).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: 'notes.txt is not an ELF shared library.',
      }),
    )
    const header = (cls: number, data: number) => {
      const b = Buffer.alloc(64)
      b.writeUInt32BE(0x7f454c46, 0)
      b[4] = cls
      b[5] = data
      return b
    }
    writeFileSync(join(tmp, 'old.so'), header(1, 1))
    expect(() => readRunpath(join(tmp, 'old.so'))).toThrow(
      expect.objectContaining({
        code: 'unsupported',
        message:
          'old.so is a 32-bit little-endian ELF file; only 64-bit little-endian libraries are read.',
      }),
    )
    writeFileSync(join(tmp, 'ppc.so'), header(2, 2))
    expect(() => readRunpath(join(tmp, 'ppc.so'))).toThrow(
      'ppc.so is a 64-bit big-endian ELF file; only 64-bit little-endian libraries are read.',
    )
  })
})
