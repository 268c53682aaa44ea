import busboy from 'busboy';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure, HTTP_STATUS } from '../errors.js';
import type { PageService } from '../pages/service.js';
import { originAllowed } from '../socket/handshake.js';
import { pageId as pageIdSchema } from '../socket/validation.js';
import { MEDIA_TYPE } from './encode.js';
import type { MediaService, ServeRefusal } from './service.js';

/** Room for the multipart framing around the file (boundaries, part headers). */
const MULTIPART_SLACK = 64 * 1024;

/**
 * `POST /api/pages/:id/media` (SPEC 6.3): one photo, multipart field `file`, sent by the
 * widget with the visitor's own Bearer token; owners and editors of the page only. Answers
 * `201 {media: {id, width, height}}`. Browsers call it from the hospital's site, so it answers
 * CORS (preflight included) for the allowed origins (`CARE_ALLOWED_ORIGINS`; any when unset).
 * No cookies are involved: the token travels in the header.
 *
 * The caller's rights are checked before the body is read, and the body is read with
 * busboy's `fileSize` limit: a file over `CARE_MEDIA_MAX_BYTES` is `too_large` (413) without
 * being buffered past the limit.
 */
export function mediaUploadRouter(service: PageService, media: MediaService, verifier: TokenVerifier, allowedOrigins: string[] | null): Router {
  const router = express.Router();
  const cors = (req: Request, res: Response) => {
    const origin = req.get('origin');
    if (origin && originAllowed(allowedOrigins, origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
    }
  };
  router.options('/pages/:id/media', (req, res) => {
    cors(req, res);
    res.set({ 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  });
  router.post('/pages/:id/media', async (req: Request, res: Response) => {
    cors(req, res);
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!match) throw new CareFailure('unauthorized', 'Send Authorization: Bearer <JWT> (the signed-in visitor’s token).');
      const identity = await verifier.verify(match[1]!);
      const parsed = pageIdSchema.safeParse(String(req.params.id));
      if (!parsed.success) throw new CareFailure('invalid', 'id: must be a page id');
      const a = await service.access(parsed.data, identity);
      service.require(a, a.viewer.can.postJournal, 'upload photos');
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > media.settings.maxBytes + MULTIPART_SLACK) throw new CareFailure('too_large', `A photo may be at most ${media.settings.maxBytes} bytes.`);
      const file = await readFile(req, media.settings.maxBytes);
      const uploaded = await media.ingest(a.page.id, identity.userId, file);
      // No file name, no content: which photo, and its size.
      await service.audit.record(a.page.id, { identity, ip: req.ip ?? null }, 'media.upload', { target: uploaded.id, viewer: a.viewer, detail: { bytes: file.length } });
      res.status(201).json({ media: uploaded });
    } catch (err) {
      let failure: CareFailure;
      if (err instanceof CareFailure) failure = err;
      else {
        console.error('[care] media upload failed:', err);
        failure = new CareFailure('unavailable', 'The server could not store the photo; try again.');
      }
      // A refused upload may still be sending. A client whose request is cut off mid-body sees
      // a network error, not the answer, so a body of an acceptable size is read to its end
      // (and dropped) first; a larger one gets the answer and the connection closed.
      if (!req.complete && !(await drained(req, media.settings.maxBytes + MULTIPART_SLACK))) res.set('Connection', 'close');
      res.status(HTTP_STATUS[failure.code]).json({ error: failure.toError() });
    }
  });
  return router;
}

/** Reads and drops the rest of a request body; `false` (and stops) once it passes `cap` bytes. */
function drained(req: Request, cap: number): Promise<boolean> {
  const declared = Number(req.get('content-length') ?? 0);
  if (declared > cap) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    req.unpipe();
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) done(false);
    };
    const done = (ok: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (!ok) req.pause();
      resolve(ok);
    };
    const onEnd = () => done(true);
    const onClose = () => done(false);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.resume();
  });
}

/** Reads the one `file` part of a multipart body, at most `maxBytes` of it. */
function readFile(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 11, fieldSize: 4096, headerPairs: 50 } });
    } catch {
      reject(new CareFailure('invalid', 'Send the photo as multipart/form-data in a field named "file".'));
      return;
    }
    let file: Buffer | null = null;
    let tooLarge = false;
    parser.on('file', (name, stream) => {
      if (name !== 'file' || file !== null) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!tooLarge) chunks.push(c);
      });
      // busboy stops at `fileSize`, marks the stream truncated, and discards the rest.
      stream.on('limit', () => {
        tooLarge = true;
        chunks.length = 0;
      });
      stream.on('end', () => {
        if (!tooLarge && !stream.truncated) file = Buffer.concat(chunks);
      });
    });
    parser.on('close', () => {
      if (tooLarge) reject(new CareFailure('too_large', `A photo may be at most ${maxBytes} bytes.`));
      else if (!file || file.length === 0) reject(new CareFailure('invalid', 'Send the photo in a multipart/form-data field named "file".'));
      else resolve(file);
    });
    parser.on('error', () => reject(new CareFailure('invalid', 'The upload is not valid multipart/form-data.')));
    req.on('aborted', () => reject(new CareFailure('invalid', 'The upload was interrupted.')));
    req.pipe(parser);
  });
}

const REFUSAL: Record<ServeRefusal, { status: number; code: string; message: string }> = {
  signature: { status: 403, code: 'forbidden', message: 'This image link is not valid.' },
  expired: { status: 403, code: 'forbidden', message: 'This image link has expired; the page gives fresh ones (media:urls).' },
  forbidden: { status: 403, code: 'forbidden', message: 'This image link no longer gives access.' },
  not_found: { status: 404, code: 'not_found', message: 'No such image.' },
};

/**
 * `GET /media/<pageId>/<mediaId>/<display|thumb>?v&e&s`: the signed URL is the credential
 * (an `<img>` sends no token), checked on every request (MediaService.serve). Answered to any
 * origin like the bundle: the signature, not the embedding site, decides. `Cache-Control:
 * private` keeps shared caches out, for no longer than the URL lives.
 */
export function mediaServeRoute(media: MediaService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { pageId, mediaId, variant } = req.params as { pageId: string; mediaId: string; variant: string };
      const r = await media.serve(pageId, mediaId, variant, req.query as Record<string, unknown>);
      if (!r.ok) {
        const refusal = REFUSAL[r.why];
        res.set('Cache-Control', 'no-store').status(refusal.status).json({ error: { code: refusal.code, message: refusal.message } });
        return;
      }
      const maxAge = Math.max(0, r.exp - Math.floor(Date.now() / 1000));
      res.set({
        'Content-Type': MEDIA_TYPE,
        'Cache-Control': `private, max-age=${maxAge}, immutable`,
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'Referrer-Policy': 'no-referrer',
      });
      res.status(200).end(r.data);
    } catch (err) {
      next(err);
    }
  };
}
