// Opens the app's services on a workspace folder for a transport (web bridge, CLI, Electron main):
// one place that knows how the containers are built and merged, so every transport gets the same
// handlers — the store-backed calls plus jobs, runs and training.
import { join } from 'node:path'
import type { JobHost } from '../jobs/job-protocol'
import { createAppServices } from '../services/app-services'
import { publishNowhere, type Publish } from '../services/events'
import { MODELS_DIR } from '../services/models-service'
import { createTrainingServices } from '../services/training-service'
import { mergeHandlers, type Handlers } from './call-dispatch'

export type { Publish }

export interface OpenServicesOptions {
  /** Where job processes run: child_process.fork unless given (the desktop app: utilityProcess). */
  jobHost?: JobHost
}

export interface OpenedServices {
  handlers: Handlers
  /** Stops running jobs, then closes the workspace. */
  close(): Promise<void>
}

export async function openServices(
  home: string,
  publish: Publish = publishNowhere,
  options: OpenServicesOptions = {},
): Promise<OpenedServices> {
  const app = await createAppServices({ home, publish })
  let training: ReturnType<typeof createTrainingServices>
  try {
    training = createTrainingServices({
      db: app.workspace.db,
      runsDir: app.workspace.runsDir,
      modelsDir: join(app.workspace.home, MODELS_DIR),
      publish,
      host: options.jobHost,
    })
  } catch (error) {
    app.close()
    throw error
  }
  let closed = false
  return {
    handlers: mergeHandlers(app.handlers, training.handlers),
    close: async () => {
      if (closed) return
      closed = true
      training.dispose()
      app.close()
    },
  }
}
