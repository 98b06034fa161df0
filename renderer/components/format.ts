// Number and duration formatting shared by the model screens (metrics as 0.000, rates as %).

type Translate = (key: string, named: Record<string, unknown>) => string

/** A metric in [0, 1] with three decimals; '—' when absent. */
export function metric(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3)
}

/** A rate in [0, 1] as a percentage with one decimal; '—' when absent. */
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`
}

/** Seconds as "42 s" or "3 min 5 s" in the UI language. */
export function formatDuration(seconds: number, t: Translate): string {
  if (seconds < 0.5) return t('runs.underSecond', {})
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return t('runs.seconds', { n: s })
  return t('runs.minutes', { m: Math.floor(s / 60), s: s % 60 })
}
