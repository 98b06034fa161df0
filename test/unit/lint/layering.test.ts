// The layering rules of eslint.config.mjs (generated from scripts/layers.mjs), proven with ESLint's
// own Node API: every forbidden edge of the table fails with its layer message, allowed ones pass.
import { readdirSync } from 'node:fs'
import { posix } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import {
  CTS_ERROR_MESSAGE,
  ELECTRON_MESSAGE,
  forbiddenEdges,
  LAYERS,
  layerMessage,
  layerOf,
  MAX_DEPTH,
  SQLITE_MESSAGE,
  type Layer,
} from '../../../scripts/layers.mjs'

const eslint = new ESLint()
/** Static imports and `export … from` are no-restricted-imports; `import('…')` is no-restricted-syntax. */
const LAYER_RULES = ['no-restricted-imports', 'no-restricted-syntax']

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages
    .filter((m) => LAYER_RULES.includes(m.ruleId ?? '') && m.severity === 2)
    .map((m) => m.message)
}

/** Where synthetic files of a layer sit: its modules' own paths, top and bottom of its folders. */
function probeFiles(layer: Layer): string[] {
  return [
    ...(layer.modules ?? []).map((m) => `${m}.ts`),
    ...(layer.dirs ?? []).flatMap((d) => [
      `${d}/lint-probe.ts`,
      `${d}/${'sub/'.repeat(MAX_DEPTH)}lint-probe.ts`,
    ]),
  ]
}

/** A file of the layer to import: its first module, or a file in its first folder. */
function targetOf(layer: Layer): string {
  return layer.modules?.[0] ?? `${layer.dirs![0]}/some-module`
}

/** The import specifier a developer would write in `file` for repository path `target`. */
function specifier(file: string, target: string): string {
  const rel = posix.join(
    posix.relative(posix.dirname(file), posix.dirname(target)) || '.',
    posix.basename(target),
  )
  const spec = rel.startsWith('.') ? rel : `./${rel}`
  // The spelling really names the target (a wrong probe would prove nothing).
  expect(posix.join(posix.dirname(file), spec)).toBe(target)
  return spec
}

/** A static and a dynamic import of the same module: a forbidden edge fails twice. */
const importOf = (spec: string) =>
  `import { x } from '${spec}'\nexport const y = x\nexport const z = () => import('${spec}')\n`
const edgeName = ([from, to]: [Layer, Layer]) => `${from.name} → ${to.name}`
const allowedEdges = LAYERS.flatMap((from) =>
  from.imports.map((name) => [from, LAYERS.find((l) => l.name === name)!] as [Layer, Layer]),
)

describe('layering lint rule: the table', () => {
  it('places every source file in exactly one layer, no deeper than the rule reaches', () => {
    const files = ['main', 'preload', 'renderer'].flatMap((root) =>
      (readdirSync(root, { recursive: true }) as string[])
        .map((f) => posix.join(root, f.split('\\').join('/')))
        .filter((f) => /\.(ts|vue)$/.test(f) && !f.endsWith('.d.ts')),
    )
    expect(files.length).toBeGreaterThan(100)
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([])
    const depthOf = (f: string) => {
      const layer = layerOf(f)!
      const dir = (layer.dirs ?? []).find((d) => f.startsWith(d + '/'))
      return dir ? f.slice(dir.length + 1).split('/').length - 1 : 0
    }
    expect(files.filter((f) => depthOf(f) > MAX_DEPTH)).toEqual([])
  })

  it('has a layer for every folder of main/', () => {
    const folders = readdirSync('main', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `main/${d.name}`)
    expect(folders.filter((d) => !LAYERS.some((l) => l.dirs?.includes(d)))).toEqual([])
  })

  it('keeps the edges the issue names', () => {
    const may = (from: string, to: string) =>
      LAYERS.find((l) => l.name === from)!.imports.includes(to)
    expect(may('main/jobs', 'main/reports')).toBe(false)
    expect(may('main/jobs', 'main/services')).toBe(false)
    expect(may('main/cli', 'main/services')).toBe(false)
    expect(may('main/cli', 'main/root')).toBe(true)
    expect(may('main/serve', 'main/services')).toBe(true)
    expect(may('main/serve', 'main/ml')).toBe(true)
    expect(may('main/ml', 'main/services')).toBe(false)
    expect(may('main/ml', 'contract')).toBe(false)
    expect(may('main/app', 'main/services')).toBe(false)
    expect(may('renderer', 'main/services')).toBe(false)
  })
})

describe('layering lint rule: every forbidden edge fires with its layer message (static and dynamic)', () => {
  it.each(forbiddenEdges().map((e) => [edgeName(e), e] as const))('%s', async (_, [from, to]) => {
    for (const file of probeFiles(from)) {
      const errors = await layeringErrors(file, importOf(specifier(file, targetOf(to))))
      expect(errors, `${file} importing ${targetOf(to)}`).toEqual([
        expect.stringContaining(layerMessage(from, to)),
        layerMessage(from, to),
      ])
    }
  })
})

describe('layering lint rule: allowed edges pass', () => {
  it.each(allowedEdges.map((e) => [edgeName(e), e] as const))('%s', async (_, [from, to]) => {
    for (const file of probeFiles(from)) {
      expect(await layeringErrors(file, importOf(specifier(file, targetOf(to))))).toEqual([])
    }
  })

  it('lets a file import inside its own layer, even a folder named like another layer', async () => {
    expect(await layeringErrors('main/cli/commands/x.ts', importOf('../serve'))).toEqual([])
    expect(await layeringErrors('main/ml/models/x.ts', importOf('../train/trainer'))).toEqual([])
    expect(await layeringErrors('main/jobs/x.ts', importOf('./job-protocol'))).toEqual([])
  })
})

describe('layering lint rule: electron, better-sqlite3 and CtsError', () => {
  it.each(LAYERS.map((l) => [l.name, l] as const))('%s and electron', async (_, layer) => {
    for (const file of probeFiles(layer)) {
      const errors = await layeringErrors(file, importOf('electron'))
      expect(errors).toEqual(
        layer.electron ? [] : [expect.stringContaining(ELECTRON_MESSAGE), ELECTRON_MESSAGE],
      )
    }
  })

  it.each(LAYERS.map((l) => [l.name, l] as const))('%s and better-sqlite3', async (_, layer) => {
    for (const file of probeFiles(layer)) {
      const errors = await layeringErrors(file, importOf('better-sqlite3'))
      expect(errors).toEqual(
        layer.name === 'main/store'
          ? []
          : [expect.stringContaining(SQLITE_MESSAGE), SQLITE_MESSAGE],
      )
    }
  })

  it('only main/app and preload may import electron', () => {
    expect(LAYERS.filter((l) => l.electron).map((l) => l.name)).toEqual(['main/app', 'preload'])
  })

  it('makes main code import CtsError from main/shared, not from the contract', async () => {
    const file = 'main/services/x.ts'
    const fromCommon = `import { CtsError } from '../../preload/contract/common'\nexport const e = CtsError\n`
    const fromContract = `import { CtsError } from '../../preload/contract'\nexport const e = CtsError\n`
    const fromShared = `import { CtsError } from '../shared'\nexport const e = CtsError\n`
    expect(await layeringErrors(file, fromCommon)).toEqual([
      expect.stringContaining(CTS_ERROR_MESSAGE),
    ])
    expect(await layeringErrors(file, fromContract)).toEqual([
      expect.stringContaining(CTS_ERROR_MESSAGE),
    ])
    expect(await layeringErrors(file, fromShared)).toEqual([])
    // main/shared itself re-exports it from the renderer-safe leaf.
    const reexport = `export { CtsError } from '../../preload/contract/common'\n`
    expect(await layeringErrors('main/shared/errors.ts', reexport)).toEqual([])
  })

  it('checks the script of a Vue component like any renderer file', async () => {
    const sfc = (spec: string) =>
      `<script setup lang="ts">\nimport { x } from '${spec}'\nconst y = x\n</script>\n<template><p>{{ y }}</p></template>\n`
    expect(await layeringErrors('renderer/views/X.vue', sfc('../../main/store/workspace'))).toEqual(
      [expect.stringContaining('Bad layering: renderer must not import main/store')],
    )
    expect(await layeringErrors('renderer/views/X.vue', sfc('../../preload/contract'))).toEqual([])
  })

  it('stops the renderer importing a service, and lets it import contract types', async () => {
    const service = `import { ProjectsService } from '../main/services/projects-service'\nexport const s = ProjectsService\n`
    expect(await layeringErrors('renderer/x.ts', service)).toEqual([
      expect.stringContaining('Bad layering: renderer must not import main/services'),
    ])
    const [result] = await eslint.lintText(
      "import type { ProjectDto } from '../preload/contract'\nexport type P = ProjectDto\n",
      { filePath: 'renderer/x.ts' },
    )
    expect(result!.messages).toEqual([])
  })
})
