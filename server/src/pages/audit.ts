import type { Viewer } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import type { ChangeCause } from '../jobs/causes.js';
import { pendingAudit, type PendingAudit } from '../storage/pending-audit.js';
import type { AuditRecord, Storage } from '../storage/types.js';

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
  /** When each (page lifetime, person) read was last written, for the read window. */
  readonly #lastRead = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly readWindowMs = 0,
  ) {}

  /**
   * A read of a non-public page (`page.read`), before its data is returned; a read whose
   * entry cannot be written is refused (fail closed). The same person reading the same page
   * again within the read window (reconnects, history pages) is not written again: the trail
   * keeps who read which page when, without a row for every scroll. Per node, so with N
   * nodes a person's reads in one window can give up to N rows.
   */
  async read(page: { id: string; uid: string }, actor: Actor, viewer: Viewer, detail: Record<string, unknown>): Promise<void> {
    const who = actor.identity ? `${actor.identity.userId}\n${actor.identity.staff ?? ''}` : `ip:${actor.ip ?? ''}`;
    const key = `${page.uid}\n${who}`;
    const now = Date.now();
    const last = this.#lastRead.get(key);
    if (this.readWindowMs > 0 && last !== undefined && now - last < this.readWindowMs) return;
    await this.record(page.id, actor, 'page.read', { viewer, detail });
    if (this.readWindowMs <= 0) return;
    this.#lastRead.set(key, now);
    if (this.#lastRead.size > 50_000) {
      for (const [k, t] of this.#lastRead) if (now - t >= this.readWindowMs) this.#lastRead.delete(k);
    }
  }

  async record(pageId: string, actor: Actor, action: string, opts: AuditOptions = {}): Promise<void> {
    await this.storage.appendAudit(entry(pageId, actor, action, opts));
  }

  /**
   * Runs a storage change with its audit entry attached: the storage writes the entry in the
   * change's own transaction (target: the changed item, unless given). A call that changed
   * nothing (an idempotent retry, a no-op) leaves no entry, unless `always`: then, for changes
   * that take no `seq` (a follow request), the entry is appended right after.
   */
  async within<T>(pageId: string, actor: Actor, action: string, opts: AuditOptions, change: () => Promise<T>, always = false): Promise<T> {
    const pending: PendingAudit = { record: entry(pageId, actor, action, opts), written: false, ...(opts.cause ? { cause: opts.cause } : {}) };
    const result = await pendingAudit.run(pending, change);
    if (always && !pending.written) await this.storage.appendAudit(pending.record);
    return result;
  }
}

/** `cause`: the notification the change causes, written with it in its transaction (pending-audit.ts). */
type AuditOptions = { target?: string | null; detail?: Record<string, unknown> | undefined; viewer?: Viewer | undefined; cause?: ChangeCause | undefined };

function entry(pageId: string, actor: Actor, action: string, opts: AuditOptions): AuditRecord {
  return {
    at: new Date().toISOString(),
    pageId,
    actorId: actor.identity?.userId ?? null,
    actorRole: actorRole(actor.identity, opts.viewer),
    action,
    target: opts.target ?? null,
    detail: opts.detail ?? null,
    ip: actor.ip,
  };
}
