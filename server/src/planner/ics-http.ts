import express, { type Request, type Response, type Router } from 'express';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure, HTTP_STATUS } from '../errors.js';
import type { PageService } from '../pages/service.js';
import { originAllowed } from '../socket/handshake.js';
import { pageId as pageIdSchema } from '../socket/validation.js';
import { taskCalendar } from './ics.js';

/** A task id, as every socket payload's `taskId` (validation.ts `itemId`). */
const TASK_FILE = /^([A-Za-z0-9_.:-]{1,128})\.ics$/;

export interface IcsRouteOptions {
  /** The hospital's IANA zone (`CARE_TIMEZONE`). */
  timeZone: string;
  /** The UID's host: this backend's public host name. */
  host: string;
  /** The link back to a page (a sealed open link: the page id, often the patient's name, stays out of calendars). */
  link: (pageId: string) => string;
  allowedOrigins: string[] | null;
}

/**
 * `GET /api/pages/:id/tasks/:taskId.ics` (SPEC 6.4): a task as an iCalendar file (ics.ts),
 * with the visitor's own Bearer token, for anyone who may read the page. The task is shaped
 * for that viewer by the planner (`viewTask`: `details` only for the family and the task's
 * volunteers; audited `task.ics`), so the file says no more than the widget shows them.
 *
 * Answers as the other REST routes: `401` without a valid token, `403` for a signed-in person
 * who may not read the page (as the socket API answers them; whether a page exists is not a
 * secret there either), `404` for no such page or task, or a cancelled one. The widget fetches
 * it from the hospital's site (the token travels in a header, which a plain link cannot send),
 * so it answers CORS for the allowed origins, preflight included. Never cached by anyone but
 * the visitor's browser (`private, no-store`): the details are for them.
 */
export function icsRouter(service: PageService, verifier: TokenVerifier, o: IcsRouteOptions): Router {
  const router = express.Router();
  const cors = (req: Request, res: Response) => {
    const origin = req.get('origin');
    if (origin && originAllowed(o.allowedOrigins, origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', 'Content-Disposition');
      res.vary('Origin');
    }
  };
  router.options('/pages/:id/tasks/:file', (req, res) => {
    cors(req, res);
    res.set({ 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  });
  router.get('/pages/:id/tasks/:file', async (req: Request, res: Response) => {
    cors(req, res);
    res.set('Cache-Control', 'private, no-store');
    try {
      const file = TASK_FILE.exec(String(req.params.file));
      if (!file) throw new CareFailure('not_found', 'No such API route.');
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!match) throw new CareFailure('unauthorized', 'Send Authorization: Bearer <JWT> (the signed-in visitor’s token).');
      const identity = await verifier.verify(match[1]!);
      const parsed = pageIdSchema.safeParse(String(req.params.id));
      if (!parsed.success) throw new CareFailure('invalid', 'id: must be a page id');
      if (!service.planner) throw new CareFailure('not_found', 'This server has no planner.');
      const taskId = file[1]!;
      const task = await service.planner.viewTask({ identity, ip: req.ip ?? null }, parsed.data, taskId);
      const text = taskCalendar(task, { timeZone: o.timeZone, host: o.host, url: o.link(task.pageId) });
      res
        .status(200)
        .set('Content-Type', 'text/calendar; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="task-${taskId}.ics"`)
        .set('X-Content-Type-Options', 'nosniff')
        .send(text);
    } catch (err) {
      let failure: CareFailure;
      if (err instanceof CareFailure) failure = err;
      else {
        console.error('[care] task .ics failed:', err);
        failure = new CareFailure('unavailable', 'The server could not make the calendar file; try again.');
      }
      if (failure.code === 'unauthorized') res.set('WWW-Authenticate', 'Bearer');
      res.status(HTTP_STATUS[failure.code]).json({ error: failure.toError() });
    }
  });
  return router;
}
