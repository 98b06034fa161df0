// Numbers that shape the interface, in one place.

/** Rows fetched per 'texts/list' call while scrolling the text table. */
export const TABLE_PAGE_SIZE = 100
/** Pages kept in memory while scrolling; the farthest from the view are dropped beyond this. */
export const TABLE_MAX_CACHED_PAGES = 50
/** Height of one text-table row in pixels (rows are one line, so the size is fixed). */
export const TABLE_ROW_HEIGHT = 44
/** Rows rendered above and below the visible ones, so fast scrolling shows no blank gap. */
export const TABLE_OVERSCAN = 10
/** Wait after the last keystroke before searching. */
export const SEARCH_DEBOUNCE_MS = 250
/** Rows of the file shown under the column mapping in the import dialog. */
export const IMPORT_PREVIEW_ROWS = 8
/** Rejected rows listed by number in the import summary (the rest are counted). */
export const IMPORT_REJECTED_SHOWN = 50
/** How long "Saved" and similar notes stay visible. */
export const NOTE_MS = 2500
/** Loss points kept per training job for the live curve (older ones are thinned). */
export const LOSS_POINTS_KEPT = 400
/** Default prevalence (%) offered in the operating-point panel until the user enters their own. */
export const DEFAULT_PREVALENCE_PERCENT = 10
/** Default target sensitivity (%) of the operating-point slider. */
export const DEFAULT_TARGET_SENSITIVITY_PERCENT = 90
/** Misclassified examples shown per page in the evaluation view. */
export const MISCLASSIFIED_PAGE = 20
/** How often the labelling view re-reads the in-loop model's status while it retrains. */
export const LOOP_POLL_MS = 1500
/** Labels shown in the suggestion card (the likeliest first). */
export const SUGGESTION_LABELS_SHOWN = 3
