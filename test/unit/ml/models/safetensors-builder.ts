// Test helper: assembles safetensors bytes from a header (given as raw JSON text or an object) and
// a data region, so each malformed-file test shows exactly what is wrong with its bytes.

/** Encodes `header` after an 8-byte little-endian length; `lengthOverride` writes a lying length. */
export function safetensorsBytes(
  header: string | Record<string, unknown>,
  data: Uint8Array = new Uint8Array(0),
  lengthOverride?: bigint,
): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header)
  const headerBytes = new TextEncoder().encode(text)
  const out = new Uint8Array(8 + headerBytes.length + data.length)
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  out.set(data, 8 + headerBytes.length)
  return out
}

/** A header + data holding float32 tensors laid out one after another. */
export function f32Safetensors(
  tensors: Record<string, { shape: number[]; values: number[] }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {}
  const all: number[] = []
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = {
      dtype: 'F32',
      shape: t.shape,
      data_offsets: [all.length * 4, (all.length + t.values.length) * 4],
    }
    all.push(...t.values)
  }
  return safetensorsBytes(header, new Uint8Array(new Float32Array(all).buffer))
}
