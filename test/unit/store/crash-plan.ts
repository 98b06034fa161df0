// The deterministic write sequence shared by the crash test and its child writer: write number i
// sets text (i mod TEXTS) + 1 to a label subset derived from i.
export const CRASH_TEXTS = 40
export const CRASH_LABELS = ['发热', 'cough', '皮疹', 'pain'] as const

/** Label ids are 1..4 in a fresh workspace (the project is created first, labels in order). */
export function plannedWrite(i: number): { textId: number; labelIds: number[] } {
  const mask = (i * 7 + 3) % 16
  const labelIds = [1, 2, 3, 4].filter((_, bit) => (mask >> bit) & 1)
  return { textId: (i % CRASH_TEXTS) + 1, labelIds }
}
