import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditRecord } from './types.js';

/**
 * An audit entry waiting for the change it records. The storage writes it inside the change's
 * own transaction (in `SqlStorage.change`), so the change and its audit row commit together:
 * one commit instead of two (one fsync on SQLite), and never a change without its audit row.
 */
export interface PendingAudit {
  record: AuditRecord;
  written: boolean;
}

export const pendingAudit = new AsyncLocalStorage<PendingAudit>();
