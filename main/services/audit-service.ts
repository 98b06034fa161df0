// The audit log's integrity check (issue #15 point 4): `audit/verify` over the store's hash chain.
import type { HandlersOf } from '../../preload/contract'
import type { AuditVerifyDto } from '../../preload/contract/audit'
import type { Repositories } from '../store/repositories'

export class AuditService {
  constructor(private readonly repos: Pick<Repositories, 'audit'>) {}

  async verify(): Promise<AuditVerifyDto> {
    return this.repos.audit.verify()
  }

  handlers(): HandlersOf<'audit/verify'> {
    return { 'audit/verify': async () => this.verify() }
  }
}
