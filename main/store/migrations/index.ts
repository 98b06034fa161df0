// The ordered list of schema migrations. To add one, create NNN-name.ts and append it here;
// its version must be its position (1-based) in this list.
import type { Migration } from '../migrate'
import { m001Workspace } from './001-workspace'
import { m002Runs } from './002-runs'
import { m003RunOutcome } from './003-run-outcome'
import { m004Studies } from './004-studies'
import { m005EnsembleRuns } from './005-ensemble-runs'
import { m006ModelInTheLoop } from './006-model-in-the-loop'
import { m007LabelReview } from './007-label-review'
import { m008Annotators } from './008-annotators'
import { m009AuditChain } from './009-audit-chain'
import { m010ApiTokens } from './010-api-tokens'
import { m011TeamRights } from './011-team-rights'
import { m012RunArtifacts } from './012-run-artifacts'

export const migrations: readonly Migration[] = [
  m001Workspace,
  m002Runs,
  m003RunOutcome,
  m004Studies,
  m005EnsembleRuns,
  m006ModelInTheLoop,
  m007LabelReview,
  m008Annotators,
  m009AuditChain,
  m010ApiTokens,
  m011TeamRights,
  m012RunArtifacts,
]
