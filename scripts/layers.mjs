// The layers of Clinical Text Studio and which may import which: the ONE table that
// eslint.config.mjs turns into no-restricted-imports rules and docs/ARCHITECTURE.md draws from.
import { posix } from 'node:path'

/**
 * A layer is a set of folders (`dirs`, everything below) and single modules (`modules`, a file
 * without its extension); a module listed in a more specific layer belongs to that layer, not to
 * the folder around it. `imports` lists the layers it may import; every other layer is a
 * forbidden edge, and so is `electron` unless `electron` is true.
 * @typedef {{ name: string, dirs?: string[], modules?: string[], imports: string[],
 *   electron?: boolean, role: string }} Layer
 */

/** @type {Layer[]} — top (entry points) to bottom (leaves). */
export const LAYERS = [
  {
    name: 'main/app',
    dirs: ['main/app'],
    imports: [
      'main/backend',
      'main/jobs/job-protocol',
      'main/shared',
      'contract',
      'contract-common',
    ],
    electron: true,
    role: 'Electron main process: windows, menus, IPC broker, PDF printing, job processes',
  },
  {
    name: 'main/backend',
    dirs: ['main/backend'],
    imports: ['main/root', 'main/jobs/job-protocol', 'main/shared', 'contract', 'contract-common'],
    role: 'the backend process: boot() off the UI thread, answers calls with envelopes',
  },
  {
    name: 'main/cli',
    dirs: ['main/cli'],
    imports: ['main/root', 'main/serve', 'main/shared', 'contract', 'contract-common'],
    role: 'the cts command: flags → contract calls through the root',
  },
  {
    name: 'main/web',
    dirs: ['main/web'],
    imports: ['main/root', 'preload', 'main/shared', 'contract', 'contract-common'],
    role: 'loopback HTTP bridge for the browser build (tests, npm run web)',
  },
  {
    name: 'main/serve',
    dirs: ['main/serve'],
    imports: ['main/root', 'main/services', 'main/ml', 'main/shared', 'contract-common'],
    role: 'cts serve: a trained model behind a local REST API',
  },
  {
    name: 'main/root',
    dirs: ['main/root'],
    imports: [
      'main/services',
      'main/jobs',
      'main/jobs/job-protocol',
      'main/store',
      'main/reports',
      'main/data',
      'main/ml',
      'main/shared',
      'contract',
      'contract-common',
    ],
    role: 'composition root: boot() builds every service once; dispatch validates every call once',
  },
  {
    name: 'main/services',
    dirs: ['main/services'],
    imports: [
      'main/jobs',
      'main/jobs/job-protocol',
      'main/store',
      'main/reports',
      'main/data',
      'main/ml',
      'main/shared',
      'contract',
      'contract-common',
    ],
    role: 'one service per domain; handlers keyed by contract call',
  },
  {
    name: 'main/jobs',
    dirs: ['main/jobs'],
    imports: [
      'main/jobs/job-protocol',
      'main/data',
      'main/ml',
      'main/shared',
      'contract',
      'contract-common',
    ],
    role: 'JobService and the job process: training, CV, predictions off the backend',
  },
  {
    name: 'main/jobs/job-protocol',
    modules: ['main/jobs/job-protocol'],
    imports: ['contract', 'contract-common'],
    role: 'messages between a job host and a job process',
  },
  {
    name: 'main/reports',
    dirs: ['main/reports'],
    imports: ['main/ml', 'main/shared', 'contract', 'contract-common'],
    role: 'evaluation report model, HTML/SVG/PDF',
  },
  {
    name: 'main/store',
    dirs: ['main/store'],
    imports: ['main/data', 'main/shared', 'contract', 'contract-common'],
    role: 'SQLite workspace, migrations, repositories (the only SQL)',
  },
  {
    name: 'main/data',
    dirs: ['main/data'],
    imports: ['main/shared', 'contract', 'contract-common'],
    role: 'reading CSV/TSV/JSON/XLSX, encodings, exporters',
  },
  {
    name: 'main/ml',
    dirs: ['main/ml'],
    imports: ['main/shared', 'contract-common'],
    role: 'graph + ops, models, training, inference, metrics on ONNX Runtime',
  },
  {
    name: 'main/shared',
    dirs: ['main/shared'],
    imports: ['contract-common'],
    role: 'neutral vocabulary: CtsError, run-folder file names',
  },
  {
    name: 'renderer',
    dirs: ['renderer'],
    imports: ['contract', 'contract-common'],
    role: 'Vue 3 views and Pinia stores; reach the backend only through window.cts',
  },
  {
    name: 'preload',
    modules: ['preload/index', 'preload/build-api'],
    imports: ['contract', 'contract-common'],
    electron: true,
    role: 'window.cts: the contract as typed functions over IPC (or HTTP)',
  },
  {
    name: 'contract',
    dirs: ['preload/contract'],
    modules: ['preload/contract'],
    imports: ['contract-common'],
    role: 'every call: name, zod schema, DTOs; events',
  },
  {
    name: 'contract-common',
    modules: ['preload/contract/common'],
    imports: [],
    role: 'CtsError and DTO pieces both sides share (renderer-safe)',
  },
]

/** How deep below a layer folder a source file may sit (main/ml/models/x.ts is depth 1). */
export const MAX_DEPTH = 4

const byName = new Map(LAYERS.map((l) => [l.name, l]))
for (const l of LAYERS) {
  for (const t of l.imports) if (!byName.has(t)) throw new Error(`layers: ${l.name} → unknown ${t}`)
}

/** The layer a repository path (posix, relative to the root) belongs to, or undefined. */
export function layerOf(file) {
  const stem = file.replace(/\.(ts|vue|mjs|js)$/, '')
  const byModule = LAYERS.find((l) => l.modules?.includes(stem))
  if (byModule) return byModule
  let best
  for (const l of LAYERS) {
    for (const d of l.dirs ?? []) {
      if (file.startsWith(d + '/') && (!best || d.length > best.dir.length))
        best = { layer: l, dir: d }
    }
  }
  return best?.layer
}

/** Every forbidden edge of the table: [from, to] pairs. */
export function forbiddenEdges() {
  return LAYERS.flatMap((from) =>
    LAYERS.filter((to) => to !== from && !from.imports.includes(to.name)).map((to) => [from, to]),
  )
}

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const dotted = (rel) => (rel.startsWith('.') ? rel : './' + rel)

/** Modules of other layers that sit inside folder `dir` (they are not part of the folder's layer). */
function carvedOut(dir) {
  return LAYERS.flatMap((l) => l.modules ?? []).filter((m) => m.startsWith(dir + '/'))
}

/**
 * Regexes matching every relative spelling of `target`'s files as imported from a file in folder
 * `from` (a representative folder: only its depth below the root matters).
 */
function targetRegexes(from, target) {
  const out = []
  for (const m of target.modules ?? []) {
    const rel = dotted(posix.join(posix.relative(from, posix.dirname(m)) || '.', posix.basename(m)))
    out.push(`^${esc(rel)}(\\.[jt]s)?$`)
  }
  for (const d of target.dirs ?? []) {
    const inside = from === d || from.startsWith(d + '/')
    const rel = inside ? posix.relative(from, d) || '.' : dotted(posix.relative(from, d))
    const skip = carvedOut(d).map((m) => esc(posix.relative(d, m)) + '(\\.[jt]s)?$')
    // From inside the folder a climb ('..') leaves it; a carved-out module is another layer.
    if (inside) skip.push('\\.\\.(/|$)')
    const not = skip.length > 0 ? `(?!${skip.join('|')})` : ''
    out.push(inside ? `^${esc(rel)}/${not}` : `^${esc(rel)}(/${not}|$)`)
  }
  return out
}

/** The message an import from `from` into `to` fails with. */
export function layerMessage(from, to) {
  const allowed = from.imports.length > 0 ? from.imports.join(', ') : 'nothing of the app'
  return `Bad layering: ${from.name} must not import ${to.name} (${from.name} may import ${allowed}).`
}

export const ELECTRON_MESSAGE = 'Bad layering: only main/app and preload may import electron.'
export const SQLITE_MESSAGE =
  'SQL only in main/store: better-sqlite3 is imported there and nowhere else (use a repository).'
export const CTS_ERROR_MESSAGE =
  'Shared vocabulary: main code imports CtsError from main/shared (one import path).'

/** Importing files of a layer, one group per depth, each with a representative folder. */
function importerGroups(layer) {
  const groups = []
  for (const m of layer.modules ?? []) {
    groups.push({ files: [`${m}.ts`], ignores: [], from: posix.dirname(m) })
  }
  for (const d of layer.dirs ?? []) {
    const ignores = carvedOut(d).map((m) => `${m}.ts`)
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const base = d + '/' + '*/'.repeat(depth)
      const files = [`${base}*.ts`, `${base}*.vue`]
      groups.push({ files, ignores, from: d + '/_'.repeat(depth) })
    }
  }
  return groups
}

export const RUN_FILES_MESSAGE =
  'Shared vocabulary: import run-folder file names from main/shared (run-files.ts).'

/**
 * Literals of run-folder file names (main/shared/run-files.ts is their one home). Names another
 * kind of folder uses too (config.json, model.onnx, tokenizer, checkpoints) are left to review.
 */
const RUN_FILE_LITERAL =
  'Literal[value=/^((dataset|dataset-summary|metrics|test-predictions|dev-predictions|model)\\.json|baseline-vocab\\.bin|model\\.int8\\.onnx|(last|best)\\.ckpt)$/]'

// esquery reads a selector's regex up to the next '/', so slashes are written as \x2F.
const dynamicImport = (regex) =>
  `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`

/**
 * Flat-config objects, one per layer and depth, from the table: no-restricted-imports for static
 * imports and `export … from`, no-restricted-syntax for `import('…')` with a literal path (and,
 * in main/, for run-folder file-name literals).
 */
export function layerRules() {
  return LAYERS.flatMap((layer) => {
    const isMain = layer.name.startsWith('main/') && layer.name !== 'main/shared'
    return importerGroups(layer).map(({ files, ignores, from }) => {
      const edges = forbiddenEdges()
        .filter(([f]) => f === layer)
        .map(([, to]) => ({
          regex: targetRegexes(from, to).join('|'),
          message: layerMessage(layer, to),
        }))
      if (!layer.electron) edges.push({ regex: '^electron(/|$)', message: ELECTRON_MESSAGE })
      if (layer.name !== 'main/store') {
        edges.push({ regex: '^better-sqlite3(-multiple-ciphers)?(/|$)', message: SQLITE_MESSAGE })
      }
      const patterns = edges.map((e) => ({ ...e, caseSensitive: true }))
      if (isMain) {
        const common = byName.get('contract-common')
        const contract = byName.get('contract')
        patterns.push({
          regex: [...targetRegexes(from, common), ...targetRegexes(from, contract)].join('|'),
          caseSensitive: true,
          importNames: ['CtsError'],
          message: CTS_ERROR_MESSAGE,
        })
      }
      const syntax = edges.map((e) => ({ selector: dynamicImport(e.regex), message: e.message }))
      if (isMain) {
        syntax.push({ selector: RUN_FILE_LITERAL, message: RUN_FILES_MESSAGE })
      }
      return {
        name: `layers/${layer.name}@${from}`,
        files,
        ...(ignores.length > 0 ? { ignores } : {}),
        rules: {
          'no-restricted-imports': ['error', { patterns }],
          'no-restricted-syntax': ['error', ...syntax],
        },
      }
    })
  })
}

/** The layers and their allowed imports as a markdown table (docs/ARCHITECTURE.md). */
export function layersTable() {
  const rows = LAYERS.map((l) => {
    const where = [
      ...(l.dirs ?? []).map((d) => d + '/'),
      ...(l.modules ?? []).map((m) => m + '.ts'),
    ]
    const imports = l.imports.length > 0 ? l.imports.join(', ') : '—'
    return `| ${l.name} | ${where.join(', ')} | ${l.role} | ${imports} |`
  })
  return ['| Layer | Files | What it is | May import |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  )
}

/** The layer diagram (mermaid): one arrow per allowed edge. */
export function layersMermaid() {
  const id = (name) => name.replace(/[^a-zA-Z0-9]/g, '_')
  const lines = ['```mermaid', 'flowchart TD']
  for (const l of LAYERS) lines.push(`  ${id(l.name)}["${l.name}"]`)
  for (const l of LAYERS) for (const t of l.imports) lines.push(`  ${id(l.name)} --> ${id(t)}`)
  lines.push('```')
  return lines.join('\n')
}

export const DOC_BEGIN =
  '<!-- layers:begin (generated by npm run docs:layers from scripts/layers.mjs) -->'
export const DOC_END = '<!-- layers:end -->'

/** What docs/ARCHITECTURE.md holds between DOC_BEGIN and DOC_END. */
export function layersDocBlock() {
  const body = [layersTable(), '', layersMermaid()]
  // Prettier would pad the table; the block must stay byte-equal to what this function returns.
  return [
    DOC_BEGIN,
    '<!-- prettier-ignore-start -->',
    ...body,
    '<!-- prettier-ignore-end -->',
    DOC_END,
  ].join('\n')
}
