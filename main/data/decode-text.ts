// Streams a text file as decoded strings (iconv-lite decodeStream) and splits it into numbered
// lines, so no importer ever holds the whole file.
import iconv from 'iconv-lite'
import type { Transform } from 'node:stream'
import { fileError, openStream } from './byte-source'
import type { SourceInput } from './types'

/** Decoded chunks of the file; a BOM is dropped by the decoder. The caller may stop early. */
export async function* decodedChunks(input: SourceInput, encoding: string): AsyncGenerator<string> {
  const bytes = openStream(input)
  // iconv-lite's typings say ReadWriteStream; at run time it is a Transform.
  const decoder = iconv.decodeStream(encoding) as unknown as Transform
  bytes.on('error', (err) => decoder.destroy(fileError(input, err)))
  bytes.pipe(decoder)
  try {
    for await (const chunk of decoder) {
      const text = String(chunk)
      if (text) yield text
    }
  } finally {
    bytes.destroy()
    decoder.destroy()
  }
}

/** Lines (without their CR/LF) with 1-based line numbers as an editor shows them. */
export async function* numberedLines(
  chunks: AsyncIterable<string>,
): AsyncGenerator<{ line: number; text: string }> {
  let carry = ''
  let line = 0
  for await (const chunk of chunks) {
    const parts = (carry + chunk).split('\n')
    carry = parts.pop() ?? ''
    for (const part of parts) yield { line: ++line, text: stripCr(part) }
  }
  if (carry) yield { line: ++line, text: stripCr(carry) }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s
}
