// Electron entry (out/main/app/electron-main.js): starts the backend process (which opens the
// workspace in userData), registers the contract on IPC with sender checks that forward to it,
// broadcasts its events, applies the security and download policies, opens the window.
// Main stays responsive: no SQLite, import parsing, evaluation or attribution runs here.
import '../shared/egress-guard-install' // first: Node's net in main; Chromium: session policy
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  utilityProcess,
  safeStorage,
  type WebContents,
} from 'electron'
import { eventNames, type EventName } from '../../preload/contract'
import { BackendClient } from '../backend/backend-client'
import { guardDownloads } from './downloads'
import { createBroadcast, registerContract } from './ipc-adapter'
import { installMenu } from './menu'
import { renderPdfWithElectron } from './print-pdf'
import { SafeStorageSecretStore } from './safe-storage-secrets'
import { CONTENT_SECURITY_POLICY, denyPermission, isAllowedNavigation } from './security'
import { UtilityHost } from './utility-host'
import { createMainWindow, guardWebContents, type AppPage } from './window'

/** Development only: the Vite dev server (never used by a packaged app). */
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

/** The bundled job process entry (scripts/build-node.mjs), run in a utilityProcess per job. */
function jobEntry(): string {
  return join(app.getAppPath(), 'out', 'main', 'jobs', 'job-host-entry.js')
}

/** The bundled backend process entry (scripts/build-node.mjs), run in one utilityProcess. */
function backendEntry(): string {
  return join(app.getAppPath(), 'out', 'main', 'backend', 'backend-entry.js')
}

function appPage(): AppPage {
  const root = app.getAppPath()
  return {
    url: devServerUrl ?? pathToFileURL(join(root, 'out', 'renderer', 'index.html')).href,
    preloadPath: join(root, 'out', 'preload', 'index.cjs'),
  }
}

function applySessionPolicy(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler(denyPermission)
  ses.setPermissionCheckHandler(denyPermission)
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    })
  })
  // The app makes no request off the machine: anything but the page's own files is cancelled.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url
    const local =
      url.startsWith('file:') ||
      url.startsWith('devtools:') ||
      url.startsWith('data:') ||
      url.startsWith('blob:') ||
      (devServerUrl !== undefined && url.startsWith(new URL(devServerUrl).origin))
    callback({ cancel: !local })
  })
}

let backend: BackendClient | undefined
let unregister: (() => void) | undefined
/** The app windows' contents: the only ones whose downloads (exports) are accepted. */
const appContents = new WeakSet<WebContents>()

function openWindow(page: AppPage): void {
  appContents.add(createMainWindow(page).webContents)
}

async function start(): Promise<void> {
  const page = appPage()
  applySessionPolicy()
  guardDownloads(session.defaultSession, page.url, (contents) => appContents.has(contents))
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, page.url))
  installMenu({ isMac: process.platform === 'darwin', isDev: devServerUrl !== undefined })

  const broadcast = createBroadcast(() => BrowserWindow.getAllWindows().map((w) => w.webContents))
  // Job processes stay utilityProcesses spawned here (a main-process-only API); the backend asks.
  backend = await BackendClient.start({
    launch: () =>
      utilityProcess.fork(backendEntry(), [], {
        serviceName: 'Clinical Text Studio backend',
        stdio: 'inherit',
      }),
    home: join(app.getPath('userData'), 'workspace'),
    jobHost: new UtilityHost(
      (path, args, options) => utilityProcess.fork(path, args, options),
      jobEntry(),
    ),
    renderPdf: renderPdfWithElectron,
    // Team workspace passwords (issue #17): the OS keychain through safeStorage, kept by main.
    secrets: new SafeStorageSecretStore(
      safeStorage,
      join(app.getPath('userData'), 'team-secrets.json'),
    ),
  })
  const client = backend
  client.onEvent((name, payload) => {
    if ((eventNames as string[]).includes(name)) broadcast(name as EventName, payload as never)
  })
  unregister = registerContract(ipcMain, (channel, args) => client.call(channel, args), {
    isTrustedSender: (frame) => isAllowedNavigation(frame.url, page.url),
  })

  openWindow(page)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow(page)
  })
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows()
    if (window) {
      if (window.isMinimized()) window.restore()
      window.focus()
    }
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', (event) => {
    unregister?.()
    // Quit only once the backend has closed the workspace (or was killed after its timeout).
    const closing = backend
    backend = undefined
    if (!closing) return
    event.preventDefault()
    void closing.shutdown().finally(() => app.quit())
  })
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // A CtsError (e.g. a failed migration) carries a message meant for the user; others do not.
      const ours = error instanceof Error && error.name === 'CtsError'
      console.error(`[cts] start-up failed: ${error instanceof Error ? error.name : typeof error}`)
      dialog.showErrorBox(
        'Clinical Text Studio could not start',
        ours
          ? (error as Error).message
          : 'An internal error stopped the app. Your data was not changed.',
      )
      app.exit(1)
    })
}
