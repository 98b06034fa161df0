// Types of scripts/layers.mjs (plain JS so eslint.config.mjs can import it), for the tests.
import type { Linter } from 'eslint'

export interface Layer {
  name: string
  dirs?: string[]
  modules?: string[]
  imports: string[]
  electron?: boolean
  role: string
}

export const LAYERS: Layer[]
export const MAX_DEPTH: number
export const ELECTRON_MESSAGE: string
export const CTS_ERROR_MESSAGE: string
export const SQLITE_MESSAGE: string
export const RUN_FILES_MESSAGE: string
export const DOC_BEGIN: string
export const DOC_END: string
export function layerOf(file: string): Layer | undefined
export function forbiddenEdges(): [Layer, Layer][]
export function layerMessage(from: Layer, to: Layer): string
export function layerRules(): Linter.Config[]
export function layersTable(): string
export function layersMermaid(): string
export function layersDocBlock(): string
