// The GPU pack installer's public shapes (agreed in /work/coord/NOTES14.md): where the wheels come
// from, the progress it reports and what an install returns.

/** The package index (https; its host is announced before connecting) or a folder of copied wheels. */
export type GpuPackSource = { kind: 'index'; indexUrl?: string } | { kind: 'folder'; dir: string }

export interface GpuPackProgress {
  phase: 'download' | 'verify' | 'extract' | 'runpath' | 'binding' | 'done'
  /** The wheel or file being worked on. */
  file?: string
  /** Bytes done of totalBytes in this phase (download: of all wheels, resumed bytes included). */
  bytes: number
  totalBytes: number
}

export interface GpuPackInstallResult {
  dir: string
  /** True when a whole pack was already there: nothing was downloaded or written. */
  alreadyInstalled: boolean
  /** The pack's file names, pack.json last. */
  files: string[]
  /** Bytes fetched from the index in this run (0 from a folder, or when already installed). */
  bytesDownloaded: number
}

export interface GpuPackFileCheck {
  present: string[]
  missing: string[]
  damaged: string[]
}
