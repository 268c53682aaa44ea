import type { Viewer } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import type { Storage } from '../storage/types.js';

/** Who did something, as the audit log records it. */
export interface Actor {
  identity: Identity | null;
  ip: string | null;
}

export function actorRole(identity: Identity | null, viewer?: Viewer): string {
  if (identity?.staff) return identity.staff;
  if (!identity) return 'anonymous';
  return viewer?.role ?? 'visitor';
}

/**
 * Appends to the audit log. Reads are audited before the data is returned, and a read whose
 * audit entry cannot be written is refused (fail closed); a change is audited after it
 * committed.
 */
export class Audit {
  constructor(private readonly storage: Storage) {}

  async record(pageId: string, actor: Actor, action: string, opts: { target?: string | null; detail?: Record<string, unknown>; viewer?: Viewer } = {}): Promise<void> {
    await this.storage.appendAudit({
      at: new Date().toISOString(),
      pageId,
      actorId: actor.identity?.userId ?? null,
      actorRole: actorRole(actor.identity, opts.viewer),
      action,
      target: opts.target ?? null,
      detail: opts.detail ?? null,
      ip: actor.ip,
    });
  }
}
