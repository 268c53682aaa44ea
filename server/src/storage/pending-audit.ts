import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChangeCause } from '../jobs/causes.js';
import type { AuditRecord } from './types.js';

/**
 * An audit entry waiting for the change it records. The storage writes it inside the change's
 * own transaction (in `SqlStorage.change`), so the change and its audit row commit together:
 * one commit instead of two (one fsync on SQLite), and never a change without its audit row.
 *
 * `cause`: the notification cause the change declares (`journal.posted`, `follow.requested`,
 * `follow.approved`). The storage writes it as a `cause` job in the same transaction, where
 * it writes the audit row (jobs/causes.ts): a notification exists iff its change committed.
 */
export interface PendingAudit {
  record: AuditRecord;
  written: boolean;
  cause?: ChangeCause;
  causeWritten?: boolean;
}

export const pendingAudit = new AsyncLocalStorage<PendingAudit>();

/** The pending cause of this operation if it is `type` and not yet written; marks it written. */
export function takeCause(pending: PendingAudit | undefined, type: ChangeCause): boolean {
  if (!pending || pending.cause !== type || pending.causeWritten) return false;
  pending.causeWritten = true;
  return true;
}
