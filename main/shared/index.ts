// main/shared: the neutral vocabulary every main layer may import (CtsError, run-folder file
// names). It imports nothing of main; renderer-safe pieces stay in preload/contract/common.ts.
export * from './errors'
export * from './run-files'
