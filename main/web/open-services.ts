// Opens the app's services on a workspace folder for a transport (web bridge, CLI, Electron main):
// one place that knows how createAppServices is called, so every transport gets the same handlers.
import { createAppServices } from '../services/app-services'
import type { Publish } from '../services/events'
import { mergeHandlers, type Handlers } from './call-dispatch'

export type { Publish }

export interface OpenedServices {
  handlers: Handlers
  close(): Promise<void>
}

export async function openServices(home: string, publish?: Publish): Promise<OpenedServices> {
  const services = await createAppServices({ home, publish })
  return {
    handlers: mergeHandlers(services.handlers),
    close: async () => {
      await services.close()
    },
  }
}
