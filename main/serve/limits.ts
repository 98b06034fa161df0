// The numbers that bound the prediction API (one home): request size, batch size, text length,
// queue depth. They are part of the published contract (openapi.json quotes them).

/** Largest request body accepted, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024

/** Most texts in one request, and most texts merged into one predictor call. */
export const MAX_TEXTS_PER_REQUEST = 256

/** Longest text accepted, in characters (UTF-16 units); far above any model's max length. */
export const MAX_TEXT_CHARS = 20_000

/**
 * Most texts waiting for the predictor; past it new requests get 503 at once instead of piling
 * up memory and latency (a client should retry after a moment).
 */
export const MAX_QUEUED_TEXTS = 16 * MAX_TEXTS_PER_REQUEST

/** A request whose body has not arrived by then is dropped (slow or stuck clients). */
export const REQUEST_TIMEOUT_MS = 30_000

/** Seconds a client is told to wait after a 503 (Retry-After). */
export const RETRY_AFTER_SECONDS = 1

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8765

/** Shortest token accepted from --token / CTS_TOKEN; a generated one has 32 random bytes. */
export const MIN_TOKEN_LENGTH = 16

/** Requests per minute one token may make (--rate-limit); a burst up to it passes at once. */
export const DEFAULT_RATE_LIMIT = 600

/** The largest --rate-limit accepted. */
export const MAX_RATE_LIMIT = 1_000_000
