// The window's security settings in one place: web preferences, CSP, navigation, download and
// permission guards. Pure (no electron import) so unit tests pin them; main/app applies them.

// The CSP and headers are the same for the Electron window and the web bridge: one string, one
// home in main/shared, which both may import.
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../shared/security-headers'

/**
 * BrowserWindow webPreferences: isolated, sandboxed, no Node in the page, no webviews, and no
 * auxclick (a middle click cannot open a link anywhere; Electronegativity's AUXCLICK check).
 */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    disableBlinkFeatures: 'Auxclick',
  } as const
}

/**
 * True only for the app's own page. appOrigin is the dev server origin (http://localhost:5173) or
 * the file:// URL of the built index.html; for file:// the path must match exactly, so another
 * local file cannot be loaded into the window.
 */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  let target: URL
  let app: URL
  try {
    target = new URL(url)
    app = new URL(appOrigin)
  } catch {
    return false
  }
  if (app.protocol === 'file:') {
    return (
      target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname
    )
  }
  if (app.protocol !== 'http:' && app.protocol !== 'https:') return false
  return target.origin === app.origin
}

/**
 * will-download: exports reach the disk only as blob: URLs that the app page made itself (the
 * renderer turns bytes from main into a Blob and clicks an <a download>), in the app's own window.
 * Anything else (a web URL, data:, a blob of another origin, another window) is refused.
 */
export function isAllowedDownload(url: string, appOrigin: string, fromAppWindow: boolean): boolean {
  if (!fromAppWindow) return false
  let blob: URL
  let app: URL
  try {
    blob = new URL(url)
    app = new URL(appOrigin)
  } catch {
    return false
  }
  if (blob.protocol !== 'blob:') return false
  // A blob URL embeds its creator's origin: blob:http://localhost:5173/<uuid>, blob:file:///<uuid>.
  let creator: URL
  try {
    creator = new URL(blob.pathname)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return creator.protocol === 'file:'
  return (app.protocol === 'http:' || app.protocol === 'https:') && creator.origin === app.origin
}

/** The name offered in the save dialog: the page's suggestion minus folders and control chars. */
export function safeDownloadName(suggested: string): string {
  const name = (suggested.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
  return name === '' || name === '.' || name === '..' ? 'download' : name
}

/** setWindowOpenHandler: no new windows, ever (links to the web are not followed either). */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' }
}

/**
 * Both setPermissionRequestHandler (third argument: a callback) and setPermissionCheckHandler
 * (third argument: the requesting origin; the return value counts): camera, geolocation, … denied.
 */
export function denyPermission(
  _webContents: unknown,
  _permission: string,
  callback?: unknown,
): false {
  if (typeof callback === 'function') callback(false)
  return false
}
