// The one app window: secure preferences, the page it may show, and the guards on its contents.
import { BrowserWindow, type WebContents } from 'electron'
import { denyWindowOpen, isAllowedNavigation, secureWebPreferences } from './security'

/** Window size on first start; the user may resize it. */
const INITIAL_SIZE = { width: 1280, height: 820, minWidth: 960, minHeight: 600 }

export interface AppPage {
  /** What the window loads: the built index.html as file://, or the dev server URL. */
  url: string
  preloadPath: string
}

/** Blocks navigation away from the app page, new windows and webviews on any web contents. */
export function guardWebContents(contents: WebContents, pageUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, pageUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, pageUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(denyWindowOpen)
}

export function createMainWindow(page: AppPage): BrowserWindow {
  const window = new BrowserWindow({
    ...INITIAL_SIZE,
    title: 'Clinical Text Studio',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(page.preloadPath),
  })
  guardWebContents(window.webContents, page.url)
  window.once('ready-to-show', () => window.show())
  void window.loadURL(page.url)
  return window
}
