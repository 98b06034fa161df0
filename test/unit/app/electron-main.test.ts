// The desktop main process as shipped: scripts/build-node.mjs bundles it, and the bundle runs
// against a recording stand-in for 'electron' (Electron itself cannot run on the build machines).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callNames, type CtsApi } from '../../../preload/contract'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { CONTENT_SECURITY_POLICY, secureWebPreferences } from '../../../main/app/security'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace } from '../../../main/store/workspace'

// Inside the checkout, so the bundle's external modules (better-sqlite3 …) resolve from node_modules.
mkdirSync('.cache', { recursive: true })
const dir = resolve(mkdtempSync('.cache/electron-main-'))
const appPath = join(dir, 'app')
/** The build goes where the app looks for it (app.getAppPath()/out), backend entry included. */
const out = join(appPath, 'out')
let report: Record<string, unknown>

/** A finished run (frozen test predictions, no training) for the PDF export to report on. */
async function writeFinishedRun(home: string): Promise<void> {
  const ws = openWorkspace(home)
  try {
    const runs = new RunsService(ws.repos, ws.runsDir)
    const runId = await runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels: ['健康', '疾病'],
      config: { epochs: 1 },
      dataHash: 'e1',
      seed: 1,
    })
    const test = { texts: ['体检正常', 'fever and cough'], labels: [0, 1] }
    runs.writeArtifact(runId, 'dataset.json', JSON.stringify({ train: test, test }))
    runs.writeArtifact(
      runId,
      'test-predictions.json',
      JSON.stringify({
        split: 'test',
        yTrue: test.labels,
        probs: [
          [0.8, 0.2],
          [0.3, 0.7],
        ],
        textIds: [null, null],
      }),
    )
    await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
  } finally {
    ws.close()
  }
}

beforeAll(async () => {
  await writeFinishedRun(join(dir, 'user-data', 'workspace'))
  const built = spawnSync(process.execPath, ['scripts/build-node.mjs'], {
    env: { ...process.env, CTS_BUILD_OUT: out },
    encoding: 'utf8',
  })
  expect(built.status, built.stderr).toBe(0)
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      './test/fixtures/app/electron-hook.mjs',
      'test/fixtures/app/electron-main-runner.mjs',
    ],
    {
      env: {
        ...process.env,
        BUNDLE: join(out, 'main/app/electron-main.js'),
        STUB_APP_PATH: appPath,
        STUB_USER_DATA: join(dir, 'user-data'),
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
  expect(run.status, run.stderr).toBe(0)
  report = JSON.parse(run.stdout) as Record<string, unknown>
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bundled electron-main', () => {
  it('bundles main as ESM and the preload as one CommonJS file without other requires', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8')
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])
    expect([...new Set(requires)]).toEqual(['electron'])
    expect(preload).toContain('exposeInMainWorld("cts"')
    expect(preload).not.toContain('sendSync')
    expect(existsSync(join(out, 'main/app/electron-main.js'))).toBe(true)
  })

  it('opens one window with the secure preferences on the built page', () => {
    const pageUrl = pathToFileURL(join(appPath, 'out/renderer/index.html')).href
    expect(report.pageUrl).toBe(pageUrl)
    expect(report.webPreferences).toEqual(
      secureWebPreferences(join(appPath, 'out/preload/index.cjs')),
    )
    expect(report.menuHasItems).toBe(true)
    expect(report.errors).toEqual([])
  })

  it('registers every call on IPC and serves the app page only, with the workspace in userData', () => {
    expect(report.channels).toBe(callNames.length)
    expect(report.channelsAfterQuit).toBe(0)
    expect(report.created).toMatchObject({
      ok: true,
      value: { name: 'Ward 7 病房', kind: 'binary' },
    })
    expect(report.forbidden).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(report.listed).toEqual(['Ward 7 病房'])
    expect(report.jobs).toEqual({ ok: true, value: [] })
    expect(report.runs).toMatchObject({ ok: true, value: [{ id: 1, status: 'success' }] })
    expect(report.workspaceExists).toBe(true)
  })

  it('opens the workspace in one backend utility process, not in main', () => {
    expect(report.forks).toEqual([
      {
        modulePath: join(out, 'main/backend/backend-entry.js'),
        serviceName: 'Clinical Text Studio backend',
      },
    ])
    expect(existsSync(join(out, 'main/backend/backend-entry.js'))).toBe(true)
    // On quit, main waits for the backend to close the workspace and exit, then quits.
    expect(report.quitPrevented).toBe(true)
    expect(report.quitAfterShutdown).toBe(true)
    expect(report.backendExits).toEqual([0])
    // The main bundle carries no SQLite: the workspace is the backend's.
    expect(readFileSync(join(out, 'main/app/electron-main.js'), 'utf8')).not.toMatch(
      /better-sqlite3/,
    )
  })

  it('prints PDF reports with printToPDF in a hidden window that runs no script', () => {
    const pdfPath = join(dir, 'user-data', 'report.pdf')
    expect(report.exported).toEqual({
      ok: true,
      value: { path: pdfPath, fileName: 'run-1-report.pdf', bytes: 21 },
    })
    expect(report.pdf).toBe('%PDF-stub printToPDF\n')
    expect(report.printed).toEqual([
      {
        options: { pageSize: 'A4', printBackground: true, preferCSSPageSize: true },
        isReport: true,
      },
    ])
    expect(report.printWindows).toEqual([
      {
        options: expect.objectContaining({
          show: false,
          webPreferences: expect.objectContaining({ javascript: false, sandbox: true }),
        }),
        loadedFile: true,
        destroyed: true,
      },
    ])
  })

  it('blocks navigation away, new windows, remote requests and permissions, and sets the CSP', () => {
    expect(report.navigationPrevented).toBe(true)
    expect(report.ownPagePrevented).toBe(false)
    expect(report.windowOpen).toEqual({ action: 'deny' })
    expect(report.headers).toEqual({
      'X-Other': ['1'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      'X-Content-Type-Options': ['nosniff'],
    })
    expect(report.cancelRemote).toBe(true)
    expect(report.cancelLocal).toBe(false)
    expect(report.permissionAnswers).toEqual([false])
    expect(report.permissionCheck).toBe(false)
  })

  it("saves only the app window's own blob: downloads, where the user chooses in a save dialog", () => {
    const downloads = join(dir, 'user-data', 'downloads')
    const refused = { prevented: true, savePath: null, dialog: null }
    expect(report.downloads).toEqual({
      saved: {
        prevented: false,
        savePath: '/chosen/报告.pdf',
        dialog: { parent: 0, options: { defaultPath: join(downloads, 'run-1-report.pdf') } },
      },
      dismissed: {
        prevented: true,
        savePath: null,
        dialog: { parent: 0, options: { defaultPath: join(downloads, 'predictions.csv') } },
      },
      folders: {
        prevented: false,
        savePath: '/chosen/x',
        dialog: { parent: 0, options: { defaultPath: join(downloads, '.bashrc') } },
      },
      remote: refused,
      dataUrl: refused,
      foreignBlob: refused,
      printWindow: refused,
    })
  })
})

describe('bundled preload', () => {
  it('exposes only window.cts, whose calls are ipcRenderer.invoke and whose events drop the sender', async () => {
    const exposed: [string, unknown][] = []
    const invoked: [string, unknown][] = []
    const listeners = new Map<string, (event: unknown, payload: unknown) => void>()
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]),
      },
      ipcRenderer: {
        invoke: async (channel: string, args: unknown) => {
          invoked.push([channel, args])
          return channel === 'projects/get'
            ? { ok: false, error: { code: 'not-found', message: 'No project 9.' } }
            : { ok: true, value: [] }
        },
        on: (channel: string, fn: (event: unknown, payload: unknown) => void) =>
          listeners.set(channel, fn),
        removeListener: (channel: string) => listeners.delete(channel),
      },
    }
    const source = readFileSync(join(out, 'preload/index.cjs'), 'utf8')
    const module = { exports: {} }
    const require = (id: string) => {
      if (id !== 'electron') throw new Error(`preload required ${id}`)
      return electron
    }
    runInNewContext(source, { require, module, exports: module.exports })
    expect(exposed.map(([key]) => key)).toEqual(['cts'])
    const cts = exposed[0]![1] as CtsApi
    await expect(cts.projects.list({})).resolves.toEqual([])
    await expect(cts.projects.get({ projectId: 9 })).rejects.toMatchObject({
      code: 'not-found',
      message: 'No project 9.',
    })
    expect(invoked).toEqual([
      ['projects/list', {}],
      ['projects/get', { projectId: 9 }],
    ])
    const got: unknown[] = []
    const off = cts.on('jobs/progress', (p) => got.push(p))
    listeners.get('jobs/progress')!({ sender: 'secret' }, { jobId: 'j', phase: 'x' })
    off()
    expect(got).toEqual([{ jobId: 'j', phase: 'x' }])
    expect(listeners.size).toBe(0)
  })
})

describe('bundled job process entry', () => {
  it('loads as a job process and answers through the job protocol', async () => {
    const entry = join(out, 'main/jobs/job-host-entry.js')
    const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
    // An empty input cannot succeed; what matters is that the process answered (an error reply
    // from the worker) rather than failing to load (which JobService reports as job-crashed).
    const final = await jobs.start('predict-file', {}).done
    expect(final.status).toBe('error')
    expect(final.error?.code).not.toBe('job-crashed')
    expect(final.error?.message).toBeTruthy()
  })
})
