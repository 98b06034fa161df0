// The renderer's access to main (window.cts) and the one place that turns a failure into a message
// a clinician can read: the CtsError message, never a stack trace.
import type { CtsApi } from '../preload/contract'

export function cts(): CtsApi {
  return window.cts
}

/** The clinician-facing text of a failed call; `fallback` when the error carries no message. */
export function errorMessage(error: unknown, fallback: string): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const message = (error as { message: unknown }).message
    if (typeof message === 'string' && message.trim() !== '') return message.split('\n')[0]!
  }
  return fallback
}

/** Base64 of a file's bytes, chunked so large files do not overflow the argument stack. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(binary)
}

/** Offers bytes from main as a download (browser build: no path exists). */
export function downloadBase64(contentBase64: string, fileName: string, mime: string): void {
  const binary = atob(contentBase64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
