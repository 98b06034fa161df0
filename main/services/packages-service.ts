// packages/export and packages/import (issue #12 point 3): one annotator's labels written as an
// annotation package, and another installation's package checked, then merged by content hash.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { CtsError } from '../shared'
import { writeFileAtomic } from '../shared/atomic-file'
import type { FileRef } from '../../preload/contract/common'
import type { PackagesResults } from '../../preload/contract/packages'
import type { HandlersOf } from '../../preload/contract'
import type { Repositories } from '../store/repositories'
import { MAX_PACKAGE_BYTES, matchProject, parsePackage, writePackage } from './package-format'
import type { ProjectsService } from './projects-service'

/** A file name safe on every desktop OS, from the project and the annotator. */
export function packageFileName(projectName: string, annotator: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = (s: string) => s.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').trim()
  return `${safe(projectName) || 'project'}-${safe(annotator) || 'annotator'}-annotations.jsonl`
}

/** A file-system failure as a message the user can act on; anything else is rethrown. */
function fileError(err: unknown, message: (code: string) => string): never {
  const code = (err as NodeJS.ErrnoException).code
  if (err instanceof CtsError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw err
  throw new CtsError(code === 'ENOENT' ? 'not-found' : 'bad-input', message(code))
}

const tooLarge = (fileName: string) =>
  new CtsError(
    'bad-input',
    `${fileName} is larger than ${MAX_PACKAGE_BYTES / (1024 * 1024)} MB; an annotation package is far smaller. Is it the right file?`,
  )

export class PackagesService {
  constructor(
    private readonly repos: Pick<Repositories, 'packages' | 'projects' | 'audit' | 'annotators'>,
    private readonly projects: ProjectsService,
    /** Who acts when no profile is chosen (the OS user). */
    private readonly actor: string,
    /** Told when a package changed labels (the model in the loop counts them, as after labels/set). */
    private readonly onLabelled: (projectId: number) => void = () => {},
  ) {}

  /** The current profile, else the OS user: whose package export writes, who imports. */
  private async currentAnnotator(): Promise<string> {
    return (await this.repos.annotators.current()) ?? this.actor
  }

  async export(args: {
    projectId: number
    annotator?: string
    path?: string
  }): Promise<PackagesResults['packages/export']> {
    const project = await this.projects.require(args.projectId)
    const annotator = args.annotator?.trim() || (await this.currentAnnotator())
    const rows = await this.repos.packages.exportRows(project.id, annotator)
    if (rows.length === 0) {
      throw new CtsError(
        'not-found',
        `"${annotator}" has labelled no texts in "${project.name}", so there is nothing to export. Choose the annotator whose labels to export.`,
      )
    }
    const labels = await this.repos.projects.labels(project.id)
    const content = writePackage(
      {
        annotator,
        exportedAt: new Date().toISOString(),
        project: { kind: project.kind, labels: labels.map((l) => l.name) },
      },
      rows.map((r) => ({ contentHash: r.contentHash, labels: r.labelNames, at: r.at })),
    )
    const fileName = args.path ? basename(args.path) : packageFileName(project.name, annotator)
    let result: PackagesResults['packages/export']
    if (args.path) {
      try {
        writeFileAtomic(args.path, content)
      } catch (err) {
        fileError(
          err,
          (code) =>
            `The package file ${fileName} could not be written (${code}). Check that the folder exists and you may write to it.`,
        )
      }
      result = { rows: rows.length, fileName, path: args.path }
    } else {
      const contentBase64 = Buffer.from(content, 'utf8').toString('base64')
      result = { rows: rows.length, fileName, contentBase64 }
    }
    await this.repos.audit.write(await this.currentAnnotator(), 'package.export', project.id, {
      annotator,
      rows: rows.length,
      fileName,
    })
    return result
  }

  private async bytesOf(file: FileRef): Promise<{ fileName: string; bytes: Buffer }> {
    if ('path' in file) {
      const fileName = basename(file.path)
      const message = (code: string) =>
        code === 'ENOENT'
          ? `The package file ${file.path} was not found.`
          : `The package file ${fileName} could not be read (${code}).`
      try {
        if ((await stat(file.path)).size > MAX_PACKAGE_BYTES) throw tooLarge(fileName)
        return { fileName, bytes: await readFile(file.path) }
      } catch (err) {
        fileError(err, message)
      }
    }
    // base64 is 4 characters per 3 bytes: refuse before decoding what could never fit.
    if (file.contentBase64.length > Math.ceil(MAX_PACKAGE_BYTES / 3) * 4) throw tooLarge(file.name)
    return { fileName: file.name, bytes: Buffer.from(file.contentBase64, 'base64') }
  }

  /** Checks the whole package first: any problem refuses it and nothing changes. */
  async import(args: {
    projectId: number
    file: FileRef
  }): Promise<PackagesResults['packages/import']> {
    const project = await this.projects.require(args.projectId)
    const { fileName, bytes } = await this.bytesOf(args.file)
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      throw new CtsError(
        'bad-input',
        `${fileName} is not UTF-8 text, so it is not a Clinical Text Studio annotation package.`,
      )
    }
    const pkg = parsePackage(text)
    const labels = await this.repos.projects.labels(project.id)
    const rows = matchProject(pkg, { kind: project.kind, labels })
    const result = await this.repos.packages.merge({
      projectId: project.id,
      packageHash: createHash('sha256').update(bytes).digest('hex'),
      annotator: pkg.header.annotator,
      fileName,
      rows,
      actor: await this.currentAnnotator(),
    })
    if (result.merged > 0) this.onLabelled(project.id)
    return result
  }

  handlers(): HandlersOf<keyof PackagesResults> {
    return {
      'packages/export': async (a) => this.export(a),
      'packages/import': async (a) => this.import(a),
    }
  }
}
