// The threshold table sent to the evaluation view is downsampled evenly, ends kept, to at most
// MAX_THRESHOLD_ROWS rows; the positive label is chosen by name.
import { describe, expect, it } from 'vitest'
import { MAX_THRESHOLD_ROWS } from '../../../preload/contract/evaluation'
import { downsample, positiveIndex } from '../../../main/services/evaluation-service'

describe('downsample', () => {
  it('keeps short tables whole and thins long ones evenly, first and last rows kept', () => {
    const short = [...Array(MAX_THRESHOLD_ROWS).keys()]
    expect(downsample(short, MAX_THRESHOLD_ROWS)).toBe(short)
    const long = [...Array(1001).keys()]
    const out = downsample(long, MAX_THRESHOLD_ROWS)
    expect(out).toHaveLength(200)
    expect(out[0]).toBe(0)
    expect(out[199]).toBe(1000)
    const steps = out.slice(1).map((v, i) => v - out[i])
    expect(Math.min(...steps)).toBe(5)
    expect(Math.max(...steps)).toBe(6)
    expect(downsample(['a', 'b', 'c', 'd', 'e'], 3)).toEqual(['a', 'c', 'e'])
  })
})

describe('positiveIndex', () => {
  it('maps a label name to its class index and names the labels when it is unknown', () => {
    expect(positiveIndex(['健康', '疾病'], '健康')).toBe(0)
    expect(positiveIndex(['健康', '疾病'], undefined)).toBeUndefined()
    expect(() => positiveIndex(['健康', '疾病'], 'flu')).toThrow(
      '"flu" is not a label of this run; its labels are 健康, 疾病.',
    )
  })
})
