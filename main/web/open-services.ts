// Opens the app's services on a workspace folder for a transport (web bridge, CLI, Electron main):
// one place that knows how the containers are built and merged, so every transport gets the same
// handlers — the store-backed calls plus jobs, runs and training.
import { join } from 'node:path'
import type { JobHost } from '../jobs/job-protocol'
import { createAppServices } from '../services/app-services'
import { publishNowhere, type Publish } from '../services/events'
import { EvaluationService } from '../services/evaluation-service'
import { MODELS_DIR, ModelsService } from '../services/models-service'
import { modelsHandlers } from '../services/models-handlers'
import { ModelChoiceService } from '../services/model-choice-service'
import { ReportsService, type PdfPrinter } from '../services/reports-service'
import { createTrainingServices } from '../services/training-service'
import { PredictionsService } from '../services/predictions-service'
import { CvService } from '../services/cv-service'
import { mergeHandlers, type Handlers } from './call-dispatch'

export type { Publish }

export interface OpenServicesOptions {
  /** Where job processes run: child_process.fork unless given (the desktop app: utilityProcess). */
  jobHost?: JobHost
  /** How reports become PDF: headless Chromium unless given (the desktop app: printToPDF). */
  printPdf?: PdfPrinter
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
  const predictions = new PredictionsService(training.runs, training.jobs)
  const models = new ModelsService({ home: app.workspace.home })
  // Cross-validation and learning curves (helper "cv"): a 'cv' job on the same job host.
  const cv = new CvService(
    app.workspace.home,
    training.jobs,
    training.training,
    training.runs,
    app.workspace.db,
  )
  let closed = false
  return {
    handlers: mergeHandlers(
      app.handlers,
      training.handlers,
      new EvaluationService(training.runs).handlers(),
      new ReportsService(training.runs, {
        db: app.workspace.db,
        printPdf: options.printPdf,
        crossValidation: (projectId) => cv.latest(projectId),
      }).handlers(),
      modelsHandlers(models),
      // 'default' follows the project's texts: the train view asks which model that is, and why.
      new ModelChoiceService(models, app.workspace.db).handlers(),
      predictions.handlers(),
      cv.handlers(),
    ),
    close: async () => {
      if (closed) return
      closed = true
      await predictions.dispose()
      training.dispose()
      app.close()
    },
  }
}
