// Test helper: a throwaway self-signed certificate and key (openssl, one day) for localhost and
// 127.0.0.1, written into `dir`; tests trust it by passing the certificate as the CA.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface TlsPair {
  certPath: string
  keyPath: string
  cert: Buffer
  key: Buffer
}

export function makeTlsPair(dir: string, name = 'server'): TlsPair {
  const certPath = join(dir, `${name}.crt`)
  const keyPath = join(dir, `${name}.key`)
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  )
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) }
}
