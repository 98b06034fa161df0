// Serves the built renderer (out/renderer) to the bridge's page, with index.html rewritten so
// that /cts-bridge.js (window.cts over HTTP) runs before the app's module script.
import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

export const BRIDGE_SCRIPT_PATH = '/cts-bridge.js'
const BRIDGE_SCRIPT_TAG = `<script src="${BRIDGE_SCRIPT_PATH}"></script>`

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

export interface StaticFile {
  body: Buffer | string
  contentType: string
}

/**
 * A classic script placed before the first module script runs first (module scripts are
 * deferred), so window.cts exists when the app starts.
 */
export function injectBridgeScript(html: string): string {
  if (html.includes(BRIDGE_SCRIPT_TAG)) return html
  const moduleScript = html.search(/<script[^>]*type=["']?module["']?/i)
  if (moduleScript >= 0)
    return html.slice(0, moduleScript) + BRIDGE_SCRIPT_TAG + html.slice(moduleScript)
  const headEnd = html.search(/<\/head>/i)
  if (headEnd >= 0) return html.slice(0, headEnd) + BRIDGE_SCRIPT_TAG + html.slice(headEnd)
  return BRIDGE_SCRIPT_TAG + html
}

/**
 * The file for a URL path inside rootDir, or null. Paths without an extension fall back to
 * index.html (client-side routes); nothing outside rootDir is ever read.
 */
export async function loadStatic(rootDir: string, urlPath: string): Promise<StaticFile | null> {
  const root = resolve(rootDir)
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const target = resolve(join(root, relative))
  if (target !== root && !target.startsWith(root + sep)) return null
  const file = (await isFile(target))
    ? target
    : extname(relative) === ''
      ? join(root, 'index.html')
      : null
  if (!file || !(await isFile(file))) return null
  const ext = extname(file).toLowerCase()
  const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream'
  if (ext === '.html')
    return { body: injectBridgeScript(await readFile(file, 'utf8')), contentType }
  return { body: await readFile(file), contentType }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
