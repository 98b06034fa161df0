// Schema 3: how a run's training ended — the epoch whose weights it kept and whether early stopping
// cut it short — so the UI states it instead of inferring it from the epoch count.
import type { Migration } from '../migrate'

export const m003RunOutcome: Migration = {
  version: 3,
  name: 'run-outcome',
  // NULL for runs recorded before this version and for runs that have not finished.
  sql: `
      ALTER TABLE runs ADD COLUMN best_epoch INTEGER;
      ALTER TABLE runs ADD COLUMN stopped_early INTEGER CHECK (stopped_early IN (0, 1));
    `,
}
