// The numbers that shape importing: how much is sniffed, previewed and scanned. One home for them.

/** Bytes read from the start of a file to detect its format, encoding and delimiter. */
export const SNIFF_BYTES = 64 * 1024

/** Data rows shown in the mapping preview. */
export const PREVIEW_ROWS = 20

/** Data rows scanned by the preview to list the labels found in the file. */
export const LABEL_SCAN_ROWS = 1000

/** At most this many distinct labels are offered from a preview. */
export const MAX_LABELS_FOUND = 50

/** Records read to sniff the delimiter of a CSV/TSV file. */
export const DELIMITER_SNIFF_RECORDS = 20

/**
 * Longest single CSV record (in characters) before we give up: a missing closing quote would
 * otherwise swallow the rest of a 100 MB file into one cell.
 */
export const MAX_RECORD_CHARS = 1_000_000

/** Share of control bytes above which a file is treated as binary, not text. */
export const BINARY_CONTROL_RATIO = 0.01

/** Share of UTF-16 code units whose high/low byte is zero that marks UTF-16 without a BOM. */
export const UTF16_ZERO_RATIO = 0.1
