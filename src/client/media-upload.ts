import { ERROR_CODES, type CareError, type ErrorCode, type Result, type UploadedMedia } from '../protocol/index.js';

/** The image types the server re-encodes (SPEC 6.3); the picker offers only these. */
export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export interface UploadRequest {
  /** The backend's URL (normalized, no trailing slash). */
  host: string;
  pageId: string;
  /** The viewer's own Bearer token: uploads are the owner's or an editor's, never anonymous. */
  token: string | null;
  file: Blob;
  /** Called with the fraction sent so far (0 to 1), as the browser reports it. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const failure = (code: ErrorCode, message: string): { ok: false; error: CareError } => ({ ok: false, error: { code, message } });

/** What the server's error body (`{error: {code, message}}`) or the HTTP status says. */
function refusal(status: number, text: string): { ok: false; error: CareError } {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (e && ERROR_CODES.includes(e.code as ErrorCode)) return failure(e.code as ErrorCode, typeof e.message === 'string' ? e.message : String(e.code));
  } catch {
    // Not JSON: a proxy's page. The status alone says enough.
  }
  const code: ErrorCode = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : status === 413 ? 'too_large' : status === 429 ? 'rate_limited' : status >= 500 ? 'unavailable' : 'invalid';
  return failure(code, `The server answered ${status}.`);
}

/**
 * Sends one photo to `POST /api/pages/:id/media` (multipart field `file`, SPEC 6.3) and
 * answers `{ok, media: {id, width, height}}` or a `CareError`, never throwing. XMLHttpRequest
 * rather than fetch: it is the one API that reports upload progress in every browser (a
 * streaming fetch body needs HTTP/2 and `duplex`, and still says nothing about bytes sent).
 * A network failure or an abort answers `unavailable`.
 */
export function uploadMedia(req: UploadRequest): Promise<Result<{ media: UploadedMedia }>> {
  return new Promise((resolve) => {
    if (!req.token) return resolve(failure('unauthorized', 'Sign in to add photos.'));
    if (req.signal?.aborted) return resolve(failure('unavailable', 'The upload was cancelled.'));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${req.host}/api/pages/${encodeURIComponent(req.pageId)}/media`);
    xhr.setRequestHeader('Authorization', `Bearer ${req.token}`);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) req.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          const body = JSON.parse(xhr.responseText) as { media?: UploadedMedia };
          if (body.media && typeof body.media.id === 'string') {
            req.onProgress?.(1);
            return resolve({ ok: true, media: body.media });
          }
        } catch {
          // Falls through to the refusal below.
        }
        return resolve(failure('unavailable', 'The server answered without the photo.'));
      }
      resolve(refusal(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => resolve(failure('unavailable', 'The photo could not be sent (network).'));
    xhr.onabort = () => resolve(failure('unavailable', 'The upload was cancelled.'));
    req.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', req.file, req.file instanceof File ? req.file.name : 'photo');
    xhr.send(form);
  });
}
