// Numbers that shape the store and the services built on it, in one place.

/** How long a connection waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 5000

/** Rows staged per transaction while an import streams in (bounds memory). */
export const IMPORT_BATCH_ROWS = 1000

/** Rejected rows listed by number in an import result; the count covers all of them. */
export const MAX_REJECTED_ROWS_LISTED = 1000

/** Labels a project may hold (matches the contract's limit on label lists). */
export const MAX_LABELS_PER_PROJECT = 50

/** Longest label name, as in the contract. */
export const MAX_LABEL_NAME_LENGTH = 100

/** Rows read from the database per page while exporting. */
export const EXPORT_PAGE_ROWS = 1000

/** Minimum interval between import progress events. */
export const PROGRESS_INTERVAL_MS = 100

/** Label colours, assigned by position (cycled past the end). */
export const LABEL_COLORS = [
  '#2e7d32',
  '#c62828',
  '#1565c0',
  '#ef6c00',
  '#6a1b9a',
  '#00838f',
  '#ad1457',
  '#5d4037',
  '#827717',
  '#37474f',
] as const
