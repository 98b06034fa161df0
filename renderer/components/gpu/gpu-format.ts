// Byte counts as the GPU section shows them: "1.1 GB", "870 MB", "0 MB" (binary units, one decimal
// from 1 GB up), the same in every language.
const MB = 1024 * 1024
const GB = 1024 * MB

export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`
  return `${Math.round(bytes / MB)} MB`
}
