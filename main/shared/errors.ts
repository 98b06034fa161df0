// CtsError for main code: one import path (main/shared). The class itself lives in
// preload/contract/common.ts, the renderer-safe leaf, so both sides of the bridge share one class.
export { CtsError, type CtsErrorCode, type CtsErrorDto } from '../../preload/contract/common'
