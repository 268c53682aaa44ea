import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { LIMITS } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure, HTTP_STATUS } from '../errors.js';
import type { Actor } from '../pages/audit.js';
import type { PageService } from '../pages/service.js';
import { isWellFormed, NOT_WELL_FORMED } from '../unicode.js';

// No lone surrogates in titles and user ids: they would be stored as U+FFFD (see unicode.ts).
const wellFormed = <T extends z.ZodString>(s: T) => s.refine(isWellFormed, NOT_WELL_FORMED);
const userList = z.array(wellFormed(z.string().min(1).max(LIMITS.idMax))).max(100);
const visibility = z.enum(['public', 'members', 'private']);
const wallModeration = z.enum(['post', 'pre']);
const pageId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a page id');

const createPage = z.strictObject({
  id: pageId,
  title: wellFormed(z.string().trim().min(1).max(LIMITS.titleMax)),
  visibility,
  wallModeration: wallModeration.optional(),
  owners: userList.min(1),
  editors: userList.optional(),
});
const patchPage = z.strictObject({
  title: wellFormed(z.string().trim().min(1).max(LIMITS.titleMax)).optional(),
  visibility: visibility.optional(),
  wallModeration: wallModeration.optional(),
  owners: userList.min(1).optional(),
  editors: userList.optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  if (issue.code === 'too_big' && issue.origin === 'string') throw new CareFailure('too_large', `${field} is too long.`);
  throw new CareFailure('invalid', `${field}: ${issue.message}`);
}

type Handler = (req: Request, actor: Actor & { identity: Identity }) => Promise<{ status?: number; body?: unknown }>;

/**
 * The admin REST API of SPEC section 5 for hospital systems: Bearer JWT, JSON in and out,
 * errors as `{ error: { code, message } }` with the matching status.
 *
 * Owner rights (the patient controls their own page): a page's owner, with their own token and
 * no staff role, may also `GET` and `PATCH` the page (`title`, `visibility`, `wallModeration`,
 * `editors`), `DELETE` it (purge), and read its export and audit log. `owners` stays admin-only,
 * so an owner can neither hand the page away nor lock out a co-owner. Everyone else gets 403.
 * Every such call is audited with the actor's role `owner`.
 */
export function adminRouter(service: PageService, verifier: TokenVerifier): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb', strict: true }));

  const route = (fn: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get('authorization') ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new CareFailure('unauthorized', 'Send Authorization: Bearer <JWT>.');
      const identity = await verifier.verify(match[1]!);
      const out = await fn(req, { identity, ip: req.ip ?? null });
      if (out.body === undefined) res.status(out.status ?? 204).end();
      else res.status(out.status ?? 200).json(out.body);
    } catch (err) {
      next(err);
    }
  };

  const requireAdmin = (identity: Identity) => {
    if (identity.staff !== 'admin') throw new CareFailure('forbidden', 'This needs a token with care_role "admin".');
  };
  /** Admins, or the page's owner (the patient's right of access). Returns the owner's viewer, for the audit log. */
  const requireAdminOrOwner = async (identity: Identity, id: string) => {
    if (identity.staff === 'admin') return undefined;
    const viewer = await service.viewerOn(id, identity);
    if (viewer.role !== 'owner') throw new CareFailure('forbidden', 'Only an admin or the page owner may do this.');
    return viewer;
  };
  const loadPage = async (id: string) => {
    const page = await service.storage.getPage(id);
    if (!page) throw new CareFailure('not_found', `No page "${id}".`);
    return page;
  };
  const id = (req: Request) => String(req.params.id);

  router.post(
    '/pages',
    route(async (req, actor) => {
      requireAdmin(actor.identity);
      const body = parse(createPage, req.body);
      const page = await service.storage.createPage({ ...body, wallModeration: body.wallModeration ?? 'post', editors: body.editors ?? [] });
      await service.audit.record(page.id, actor, 'page.create', { detail: { visibility: page.visibility, owners: body.owners, editors: body.editors ?? [] } });
      return { status: 201, body: { ...page, members: await service.storage.members(page.id) } };
    }),
  );

  router.get(
    '/pages/:id',
    route(async (req, actor) => {
      const viewer = await requireAdminOrOwner(actor.identity, id(req));
      const page = await loadPage(id(req));
      await service.audit.record(page.id, actor, 'admin.read', { viewer });
      return { body: { ...page, members: await service.storage.members(page.id) } };
    }),
  );

  router.patch(
    '/pages/:id',
    route(async (req, actor) => {
      const viewer = await requireAdminOrOwner(actor.identity, id(req));
      const { owners, editors, ...settings } = parse(patchPage, req.body);
      if (owners && viewer) throw new CareFailure('forbidden', 'Only an admin may change the owners of a page.');
      await loadPage(id(req));
      if (owners || editors) await service.setMembers(actor, id(req), { owners, editors }, viewer);
      const page = Object.keys(settings).length > 0 ? await service.updatePage(actor, id(req), settings, viewer) : await loadPage(id(req));
      return { body: { ...page, members: await service.storage.members(page.id) } };
    }),
  );

  router.delete(
    '/pages/:id',
    route(async (req, actor) => {
      const viewer = await requireAdminOrOwner(actor.identity, id(req));
      await service.deletePage(actor, id(req), viewer);
      return { status: 204 };
    }),
  );

  router.get(
    '/pages/:id/export',
    route(async (req, actor) => {
      const viewer = await requireAdminOrOwner(actor.identity, id(req));
      const data = await service.storage.exportPage(id(req));
      if (!data) throw new CareFailure('not_found', `No page "${id(req)}".`);
      await service.audit.record(data.page.id, actor, 'page.export', { viewer });
      return { body: { exportedAt: new Date().toISOString(), ...data } };
    }),
  );

  router.get(
    '/pages/:id/audit',
    route(async (req, actor) => {
      const viewer = await requireAdminOrOwner(actor.identity, id(req));
      const entries = await service.storage.audit(id(req));
      await service.audit.record(id(req), actor, 'audit.read', { viewer });
      return { body: { pageId: id(req), entries } };
    }),
  );

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new CareFailure('not_found', 'No such API route.')));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    let failure: CareFailure;
    if (err instanceof CareFailure) failure = err;
    else if (e.type === 'entity.too.large') failure = new CareFailure('too_large', 'The request body is too large.');
    else if (e.type === 'entity.parse.failed' || e.status === 400) failure = new CareFailure('invalid', 'The request body is not valid JSON.');
    else {
      console.error('[care] admin API error:', err);
      failure = new CareFailure('unavailable', 'The server could not complete the request.');
    }
    res.status(HTTP_STATUS[failure.code]).json({ error: failure.toError() });
  });
  return router;
}
