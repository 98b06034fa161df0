// How the agreement view writes κ/α: three decimals, the 95 % interval, and the Landis & Koch
// band a clinician reads it by (a rough convention, shown next to the number, never instead).
import type { AgreementValueDto } from '../../../preload/contract'

export type Band = 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almostPerfect'

/** Landis & Koch (1977): < 0 poor, ≤ .20 slight, ≤ .40 fair, ≤ .60 moderate, ≤ .80 substantial. */
export function band(value: number | null): Band | null {
  if (value === null || !Number.isFinite(value)) return null
  if (value < 0) return 'poor'
  if (value <= 0.2) return 'slight'
  if (value <= 0.4) return 'fair'
  if (value <= 0.6) return 'moderate'
  if (value <= 0.8) return 'substantial'
  return 'almostPerfect'
}

/** κ/α with three decimals; '—' when undefined (NaN travels as null). */
export function fixed3(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3)
}

export function hasInterval(v: AgreementValueDto): boolean {
  return v.lower !== null && v.upper !== null
}

/** Cell colour for a κ in [-1, 1]: red below 0.4, amber to 0.6, green above, paler when lower. */
export function kappaColour(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'var(--surface-2)'
  if (value < 0.4) return `rgba(180, 35, 24, ${0.12 + 0.3 * Math.min(1, (0.4 - value) / 0.8)})`
  if (value <= 0.6) return 'rgba(217, 146, 0, 0.25)'
  return `rgba(29, 122, 70, ${0.18 + 0.5 * Math.min(1, (value - 0.6) / 0.4)})`
}
