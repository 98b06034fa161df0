// The base model's licence as a run records it (config.baseModelLicence), so the report and the
// model card of an exported model can say under which licence the model was trained.

export interface RunLicence {
  name: string
  /** True when the licence forbids commercial use (of the model and what is trained from it). */
  researchOnly: boolean
  source?: string
}

/** A run's recorded licence (config.baseModelLicence), or null for runs without one. */
export function recordedLicence(config: Record<string, unknown>): RunLicence | null {
  const l = config.baseModelLicence as Partial<RunLicence> | undefined
  if (!l || typeof l.name !== 'string' || typeof l.researchOnly !== 'boolean') return null
  return typeof l.source === 'string'
    ? { name: l.name, researchOnly: l.researchOnly, source: l.source }
    : { name: l.name, researchOnly: l.researchOnly }
}
