// Module-loader hook for processes run through tsx (the CLI, its job processes, the benchmarks):
// an ES module file of an installed package (`.mjs` under node_modules) is loaded as it is on
// disk, never handed to tsx's transform. Node runs those files natively; tsx would only re-emit
// them with a source map. For @huggingface/transformers (a 1.3 MB bundle) that transform took
// ~570 ms and left ~160 MB in the process for as long as it runs (Node 20, tsx 4.23: 254 vs
// 105 MB RSS after the import) — memory every training job carried.
// Plain JavaScript: this file runs on Node's loader thread, before any TypeScript can load.
import { readFile } from 'node:fs/promises'

/** Whether `url` is an installed package's ES module file, which Node loads without help. */
export function isPackageModule(url) {
  return url.startsWith('file://') && url.includes('/node_modules/') && url.endsWith('.mjs')
}

export async function load(url, context, nextLoad) {
  if (!isPackageModule(url)) return nextLoad(url, context)
  return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true }
}
