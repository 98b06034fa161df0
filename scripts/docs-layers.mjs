// `npm run docs:layers`: writes the layers table and diagram (from scripts/layers.mjs) into
// docs/ARCHITECTURE.md between its layers markers; `--check` only says whether it is current.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DOC_BEGIN, DOC_END, layersDocBlock } from './layers.mjs'

const doc = fileURLToPath(new URL('../docs/ARCHITECTURE.md', import.meta.url))
const text = readFileSync(doc, 'utf8')
const begin = text.indexOf(DOC_BEGIN)
const end = text.indexOf(DOC_END)
if (begin < 0 || end < begin) {
  console.error(`docs/ARCHITECTURE.md has no "${DOC_BEGIN}" … "${DOC_END}" block.`)
  process.exit(1)
}
const next = text.slice(0, begin) + layersDocBlock() + text.slice(end + DOC_END.length)
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('docs/ARCHITECTURE.md: the layers block is out of date; run npm run docs:layers.')
    process.exit(1)
  }
  console.log('docs/ARCHITECTURE.md: the layers block is current.')
} else if (next !== text) {
  writeFileSync(doc, next)
  console.log('docs/ARCHITECTURE.md: layers block updated.')
} else {
  console.log('docs/ARCHITECTURE.md: the layers block is current.')
}
