// The identity of a text for duplicate detection: sha256 of its NFC-normalised, trimmed form.
import { createHash } from 'node:crypto'

export function contentHash(text: string): string {
  return createHash('sha256').update(text.normalize('NFC').trim(), 'utf8').digest('hex')
}
