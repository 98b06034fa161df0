// Builds the renderer once before the e2e files run, so they test the bundle the app ships
// (CTS_E2E_SKIP_BUILD=1 reuses an existing out/renderer, e.g. right after `npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export default async function setup(): Promise<void> {
  const index = fileURLToPath(new URL('../../out/renderer/index.html', import.meta.url))
  if (process.env.CTS_E2E_SKIP_BUILD === '1' && existsSync(index)) return
  await build({
    configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  })
}
