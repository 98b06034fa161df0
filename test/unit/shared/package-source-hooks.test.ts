// The loader hook that keeps installed packages' .mjs files out of tsx's transform
// (main/shared/package-source-hooks.mjs), and the flags that install it after tsx.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
// @ts-expect-error -- a plain .mjs loader hook (it runs on Node's loader thread), no types
import { isPackageModule, load } from '../../../main/shared/package-source-hooks.mjs'
import { PACKAGE_SOURCE_INSTALL, tsxExecArgv } from '../../../main/shared/tsx-exec-argv'

type Load = (
  url: string,
  context: object,
  next: (url: string, context: object) => Promise<unknown>,
) => Promise<{ format?: string; source?: Uint8Array; shortCircuit?: boolean }>

const transformers = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('@huggingface/transformers')
    .replace(/\.cjs$/, '.mjs'),
).href

describe('package-source hook', () => {
  it('loads an installed package’s .mjs file as it is on disk, without the next hook', async () => {
    const next = vi.fn()
    const r = await (load as Load)(transformers, {}, next)
    expect(next).not.toHaveBeenCalled()
    expect(r.format).toBe('module')
    expect(r.shortCircuit).toBe(true)
    expect(Buffer.from(r.source!).equals(readFileSync(new URL(transformers)))).toBe(true)
  })

  it('hands everything else to the next hook (tsx): our .ts, a package’s .js or .cjs', async () => {
    const urls = [
      pathToFileURL('/work/app/main/ml/train/trainer.ts').href,
      'file:///app/node_modules/pkg/index.js',
      'file:///app/node_modules/pkg/index.cjs',
      'file:///app/src/tool.mjs',
      'node:fs',
    ]
    for (const url of urls) {
      expect(isPackageModule(url)).toBe(false)
      const next = vi.fn(async () => ({ format: 'from-next' }))
      expect(await (load as Load)(url, { conditions: [] }, next)).toEqual({ format: 'from-next' })
      expect(next).toHaveBeenCalledWith(url, { conditions: [] })
    }
  })

  it('keeps a package out of tsx’s transform in a child run with tsxExecArgv()', () => {
    const child = fileURLToPath(
      new URL('../../fixtures/loader/package-source-child.mts', import.meta.url),
    )
    const run = (flags: string[]) =>
      JSON.parse(execFileSync(process.execPath, [...flags, child], { encoding: 'utf8' })) as {
        sourceMap: boolean
        tokenizer: string
      }
    expect(tsxExecArgv()).toEqual(['--import', 'tsx', '--import', PACKAGE_SOURCE_INSTALL])
    expect(run(tsxExecArgv())).toEqual({ sourceMap: false, tokenizer: 'function' })
    // tsx alone transforms it (and keeps its source map): the check above can fail.
    expect(run(['--import', 'tsx'])).toEqual({ sourceMap: true, tokenizer: 'function' })
  }, 60_000)
})
