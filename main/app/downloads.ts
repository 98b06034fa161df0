// Desktop downloads: exports leave the window as blob: downloads; only the app window's own are
// accepted, and each is saved where the user chooses in a save dialog.
import { join } from 'node:path'
import { app, BrowserWindow, dialog, type Session, type WebContents } from 'electron'
import { isAllowedDownload, isAllowedNavigation, safeDownloadName } from './security'

/**
 * Registers the session's 'will-download' guard. `isAppWindow` says whether web contents belong
 * to one of the app's own windows (not a print window, not anything else).
 */
export function guardDownloads(
  ses: Session,
  pageUrl: string,
  isAppWindow: (contents: WebContents) => boolean,
): void {
  ses.on('will-download', (event, item, contents) => {
    const ours = isAppWindow(contents) && isAllowedNavigation(contents.getURL(), pageUrl)
    if (!isAllowedDownload(item.getURL(), pageUrl, ours)) {
      event.preventDefault()
      return
    }
    const options = {
      defaultPath: join(app.getPath('downloads'), safeDownloadName(item.getFilename())),
    }
    // The save path must be set before this handler returns (otherwise Electron shows a dialog of
    // its own and the download goes ahead), so the dialog is the modal, synchronous one.
    const window = BrowserWindow.fromWebContents(contents)
    const path = window
      ? dialog.showSaveDialogSync(window, options)
      : dialog.showSaveDialogSync(options)
    if (!path) {
      event.preventDefault()
      return
    }
    item.setSavePath(path)
  })
}
