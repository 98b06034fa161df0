// EMAIL, URL and IP: e-mail addresses, URLs (scheme, www. or a bare domain with a common TLD),
// IPv4 with each octet 0–255 and IPv6 (validated by node:net).
import { isIPv6 } from 'node:net'
import { matchAll, type Candidate } from './types'

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/g
// URL characters stop at whitespace, CJK text and full-width punctuation.
const URL_CHARS = String.raw`[^\s<>"'\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]`
const TLDS = 'com|org|net|edu|gov|mil|int|info|io|cn|uk|de|fr|jp|hk|tw|us|ca|au|health|med'
const URL_RE = new RegExp(
  String.raw`(?:https?|ftp)://${URL_CHARS}+|(?<![\w@.-])www\.${URL_CHARS}+|(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:${TLDS})(?![\w@-])(?:/${URL_CHARS}*)?`,
  'gi',
)
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`
const IPV4 = new RegExp(String.raw`(?<![\d.])(?:${OCTET}\.){3}${OCTET}(?!\d|\.\d)`, 'g')
const VERSION_BEFORE = /(?:\b(?:version|ver\.?|v|firmware|build|release)|版本号?)\s*[:：]?\s*$/i
// The last 32 bits may be written as IPv4: ::ffff:192.0.2.128
const IPV6 = new RegExp(
  String.raw`(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:${OCTET}\.){3}${OCTET}|[0-9A-Fa-f]{0,4})(?![\w:]|\.\d)`,
  'g',
)

/** Sentence punctuation after a URL is not part of it ("see https://x.org/a." ends at "a"). */
function trimUrl(text: string, c: Candidate): Candidate {
  let end = c.end
  while (end > c.start && /[.,;:!?)\]}'"]/.test(text[end - 1])) {
    // Keep a closing bracket that the URL itself opened.
    const ch = text[end - 1]
    const seg = text.slice(c.start, end)
    if (ch === ')' && seg.split('(').length > seg.split(')').length - 1) break
    end--
  }
  return { ...c, end }
}

/** A query value in Chinese ("?q=心电图&id=123") continues the URL up to whitespace or punctuation. */
function extendQuery(text: string, c: Candidate): Candidate {
  if (!/[=&]$/.test(text.slice(c.start, c.end)) || !/\?/.test(text.slice(c.start, c.end))) return c
  const rest = /^[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/.exec(text.slice(c.end))
  return rest ? { ...c, end: c.end + rest[0].length } : c
}

export function findWeb(text: string): Candidate[] {
  const urls = matchAll(text, URL_RE, 'URL', 9)
    .map((c) => trimUrl(text, extendQuery(text, c)))
    .filter((c) => c.end - c.start > 4)
  const v6 = matchAll(text, IPV6, 'IP', 7).filter((c) => {
    const s = text.slice(c.start, c.end)
    return /\d/.test(s) && s.replace(/:/g, '').length >= 3 && isIPv6(s)
  })
  // "version 3.2.1.4" is a software version, not an address.
  const v4 = matchAll(text, IPV4, 'IP', 7).filter(
    (c) => !VERSION_BEFORE.test(text.slice(Math.max(0, c.start - 20), c.start)),
  )
  return [...matchAll(text, EMAIL, 'EMAIL', 10), ...urls, ...v4, ...v6]
}
