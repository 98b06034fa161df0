// Ambient types for the renderer: Vite's client types and window.cts, the only door to main.
/// <reference types="vite/client" />
import type { CtsApi } from '../preload/contract'

declare global {
  interface Window {
    cts: CtsApi
  }
}

export {}
