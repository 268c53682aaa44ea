import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { LIMITS } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import { pageId as pageIdSchema, userId, wellFormed } from '../socket/validation.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure, HTTP_STATUS } from '../errors.js';
import type { Actor } from '../pages/audit.js';
import type { PageService } from '../pages/service.js';

const userList = z.array(userId).max(100);
const visibility = z.enum(['public', 'members', 'private']);
const wallModeration = z.enum(['post', 'pre']);
/** Audit paging: a cursor from the previous answer's `next`, and how many rows (default 100). */
const auditPaging = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const createPage = z.strictObject({
  id: pageIdSchema,
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

function parse<T>(schema: z.ZodType<T>, body: unknown, what = 'body'): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || what;
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

  /** `:id`, checked with the same pattern as every socket payload's `pageId`. */
  const id = (req: Request) => parse(pageIdSchema, String(req.params.id), 'id');
  /** `?after=<cursor>&limit=<1–1000>` of the audit endpoints. */
  const paging = (req: Request) => parse(auditPaging, req.query, 'query');

  router.post(
    '/pages',
    route(async (req, actor) => {
      const body = parse(createPage, req.body);
      const page = await service.createPage(actor, { ...body, wallModeration: body.wallModeration ?? 'post', editors: body.editors ?? [] });
      return { status: 201, body: page };
    }),
  );
  router.get('/pages/:id', route(async (req, actor) => ({ body: await service.readPage(actor, id(req)) })));
  router.patch('/pages/:id', route(async (req, actor) => ({ body: await service.patchPage(actor, id(req), parse(patchPage, req.body)) })));
  router.delete(
    '/pages/:id',
    route(async (req, actor) => {
      await service.deletePage(actor, id(req));
      return { status: 204 };
    }),
  );
  router.get('/pages/:id/export', route(async (req, actor) => ({ body: await service.exportPage(actor, id(req)) })));
  router.get(
    '/pages/:id/audit',
    route(async (req, actor) => {
      const pageId = id(req);
      const q = paging(req);
      return { body: await service.pageAudit(actor, pageId, q.after, q.limit) };
    }),
  );
  router.get(
    '/audit',
    route(async (req, actor) => {
      const q = paging(req);
      return { body: await service.auditLog(actor, q.after, q.limit) };
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
