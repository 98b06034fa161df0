// docs/ARCHITECTURE.md cannot drift: its layers block is exactly what scripts/layers.mjs renders
// (the table the lint rules come from), and every repository path it names exists.
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DOC_BEGIN, DOC_END, layersDocBlock } from '../../../scripts/layers.mjs'

const doc = readFileSync('docs/ARCHITECTURE.md', 'utf8')

describe('docs/ARCHITECTURE.md', () => {
  it('shows the layers exactly as the lint table defines them (npm run docs:layers)', () => {
    const begin = doc.indexOf(DOC_BEGIN)
    const end = doc.indexOf(DOC_END)
    expect(begin).toBeGreaterThanOrEqual(0)
    expect(end).toBeGreaterThan(begin)
    expect(doc.slice(begin, end + DOC_END.length)).toBe(layersDocBlock())
  })

  it('names only files and folders that exist', () => {
    const paths = [
      ...doc.matchAll(/`((?:main|preload|renderer|scripts|test|docs)\/[^`\s*]+)`/g),
    ].map((m) => m[1]!.replace(/[:#].*$/, ''))
    expect(paths.length).toBeGreaterThan(10)
    expect(paths.filter((p) => !existsSync(p))).toEqual([])
  })
})
