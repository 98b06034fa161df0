// Small parts of the bridge on their own: the script injection and the wording of bad input.
import { describe, expect, it } from 'vitest'
import { describeIssues } from '../../../main/root/dispatch'
import { injectBridgeScript } from '../../../main/web/static-files'
import { callSchemas } from '../../../preload/contract'

describe('injectBridgeScript', () => {
  const tag = '<script src="/cts-bridge.js"></script>'
  it('goes before the first module script, once', () => {
    const html =
      '<head><script type="module" src="a.js"></script><script type="module" src="b.js"></script></head>'
    const once = injectBridgeScript(html)
    expect(once).toBe(
      `<head>${tag}<script type="module" src="a.js"></script><script type="module" src="b.js"></script></head>`,
    )
    expect(injectBridgeScript(once)).toBe(once)
  })

  it('goes at the end of <head> when the page has no module script', () => {
    expect(injectBridgeScript('<html><head><title>x</title></head><body></body></html>')).toBe(
      `<html><head><title>x</title>${tag}</head><body></body></html>`,
    )
  })
})

describe('describeIssues', () => {
  it('names nested fields the way a person reads them', () => {
    const parsed = callSchemas['projects/create'].safeParse({
      name: 'A',
      kind: 'multiclass',
      labels: ['ok', ' '],
    })
    expect(parsed.success).toBe(false)
    expect(describeIssues(parsed.error!.issues)).toBe(
      'labels[1]: Too small: expected string to have >=1 characters',
    )
  })
})
