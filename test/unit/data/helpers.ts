// Shared helpers for the importer tests: fixture paths and collecting streamed records.
import { fileURLToPath } from 'node:url'
import type { ColumnMapping } from '../../../preload/contract'
import { sourceReader } from '../../../main/data/open-source'
import type { SourceInput, SourceOptions, SourceRecord } from '../../../main/data/types'

export const fixture = (name: string): SourceInput => ({
  path: fileURLToPath(new URL(`../../fixtures/import/${name}`, import.meta.url)),
})

export async function collect(
  input: SourceInput,
  mapping: ColumnMapping,
  options: SourceOptions = {},
): Promise<SourceRecord[]> {
  const out: SourceRecord[] = []
  for await (const record of sourceReader.records(input, options, mapping)) out.push(record)
  return out
}

/** Preview, then import with the suggested mapping: what a user who clicks "Import" gets. */
export async function importWithSuggestion(name: string, options: SourceOptions = {}) {
  const preview = await sourceReader.preview(fixture(name), options)
  const records = await collect(fixture(name), preview.suggestedMapping, options)
  return { preview, records }
}

/** The CtsError code and message a promise rejects with. */
export async function failure(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work
  } catch (err) {
    const e = err as { code: string; message: string }
    return { code: e.code, message: e.message }
  }
  throw new Error('expected the call to fail')
}
