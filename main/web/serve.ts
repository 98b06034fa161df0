// `npm run web`: the app in a browser on this machine. Opens the workspace at CTS_HOME (or
// ~/.cts-workspace), starts the loopback bridge and prints the one URL that opens a session.
import '../shared/egress-guard-install' // first: before any other module runs
import '../shared/ort-binding-redirect-install' // second: before onnxruntime-node loads
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { startBridge } from './bridge'

const home = resolve(process.env.CTS_HOME || resolve(homedir(), '.cts-workspace'))
const port = Number(process.env.CTS_PORT ?? 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `CTS_PORT must be a port number (0 = any free port), not "${process.env.CTS_PORT}".`,
  )
  process.exit(2)
}
mkdirSync(home, { recursive: true })

const bridge = await startBridge({ home, port })
console.log(`Clinical Text Studio (workspace ${home})`)
console.log(`Open: ${bridge.url}`)
console.log('Only this computer can connect. Press Ctrl+C to stop.')

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  void bridge.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
