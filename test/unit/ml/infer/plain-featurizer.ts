// Test helper: the baseline's hashed n-gram ids computed only from an export's featurizer.json, as
// an outside user would (no app code), to prove the exported spec is complete.
interface FeaturizerJson {
  tokenPattern: string
  buckets: number
  charNgrams: 'cjk' | 'all' | 'none'
  maxFeatures: number
}

function fnv1a32(s: string): number {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

export function plainFeaturize(spec: FeaturizerJson, text: string): number[] {
  const isCjk = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u
  const grams: string[] = []
  let prev: string | null = null
  for (const [tok] of text
    .normalize('NFKC')
    .toLowerCase()
    .matchAll(new RegExp(spec.tokenPattern, 'gu'))) {
    const cjk = isCjk.test(tok)
    if (cjk) prev = null
    else {
      grams.push('w:' + tok)
      if (prev !== null) grams.push(`b:${prev} ${tok}`)
      prev = tok
    }
    if (spec.charNgrams === 'all' || (spec.charNgrams === 'cjk' && cjk)) {
      const chars = Array.from(cjk ? tok : `<${tok}>`)
      for (let n = 1; n <= 3; n++)
        for (let i = 0; i + n <= chars.length; i++)
          grams.push(`c${n}:` + chars.slice(i, i + n).join(''))
    }
  }
  return grams.slice(0, spec.maxFeatures).map((g) => fnv1a32(g) % spec.buckets)
}
