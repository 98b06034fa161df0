// Reading `cts serve --tls-cert/--tls-key`: both PEM files, checked together up front so a missing,
// unreadable or mismatched pair fails with a message naming the flag instead of at the first client.
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { CtsError } from '../shared'

export interface TlsFiles {
  cert: Buffer
  key: Buffer
}

function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EACCES'
          ? 'this user may not read it'
          : code === 'EISDIR'
            ? 'it is a folder'
            : 'it cannot be read'
    throw new CtsError('bad-input', `${flag}: ${path} cannot be used: ${why}.`)
  }
}

/** Undefined when neither flag is given; the checked pair when both are; else CtsError. */
export function readTlsFiles(certPath?: string, keyPath?: string): TlsFiles | undefined {
  if (certPath === undefined && keyPath === undefined) return undefined
  if (certPath === undefined || keyPath === undefined)
    throw new CtsError(
      'bad-input',
      `${certPath === undefined ? '--tls-cert' : '--tls-key'} is missing: TLS needs both --tls-cert (the certificate, PEM) and --tls-key (its private key, PEM).`,
    )
  const cert = readFlagFile('--tls-cert', certPath)
  const key = readFlagFile('--tls-key', keyPath)
  try {
    new X509Certificate(cert)
  } catch {
    throw new CtsError('bad-input', `--tls-cert: ${certPath} is not a PEM certificate.`)
  }
  try {
    createPrivateKey(key)
  } catch {
    throw new CtsError(
      'bad-input',
      `--tls-key: ${keyPath} is not a PEM private key (an encrypted key is not supported).`,
    )
  }
  try {
    createSecureContext({ cert, key })
  } catch {
    throw new CtsError(
      'bad-input',
      `--tls-key: ${keyPath} is not the private key of the certificate in ${certPath}.`,
    )
  }
  return { cert, key }
}
