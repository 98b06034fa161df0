// `--tls-cert/--tls-key` are checked together before serving: each unusable pair gets a message
// that names the flag and the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTlsFiles } from '../../../main/serve/tls'
import { makeTlsPair, type TlsPair } from './tls-pair'

let dir: string
let a: TlsPair
let b: TlsPair
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cts-tls-'))
  a = makeTlsPair(dir, 'a')
  b = makeTlsPair(dir, 'b')
  writeFileSync(join(dir, 'notes.txt'), '体检正常 routine checkup\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const message = (cert?: string, key?: string) => {
  try {
    readTlsFiles(cert, key)
  } catch (e) {
    return (e as Error).message
  }
  return 'accepted'
}

describe('readTlsFiles', () => {
  it('reads a matching pair, and nothing when neither flag is given', () => {
    expect(readTlsFiles(undefined, undefined)).toBeUndefined()
    expect(readTlsFiles(a.certPath, a.keyPath)).toEqual({ cert: a.cert, key: a.key })
  })

  it('names the missing half, a missing file, a folder, a non-PEM file and a mismatched key', () => {
    const txt = join(dir, 'notes.txt')
    expect(message(a.certPath)).toBe(
      '--tls-key is missing: TLS needs both --tls-cert (the certificate, PEM) and --tls-key (its private key, PEM).',
    )
    expect(message(undefined, a.keyPath)).toMatch(/^--tls-cert is missing: /)
    expect(message(join(dir, 'none.crt'), a.keyPath)).toBe(
      `--tls-cert: ${join(dir, 'none.crt')} cannot be used: there is no such file.`,
    )
    expect(message(a.certPath, dir)).toBe(`--tls-key: ${dir} cannot be used: it is a folder.`)
    expect(message(txt, a.keyPath)).toBe(`--tls-cert: ${txt} is not a PEM certificate.`)
    expect(message(a.certPath, txt)).toBe(
      `--tls-key: ${txt} is not a PEM private key (an encrypted key is not supported).`,
    )
    expect(message(a.certPath, b.keyPath)).toBe(
      `--tls-key: ${b.keyPath} is not the private key of the certificate in ${a.certPath}.`,
    )
  })
})
