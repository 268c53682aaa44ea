import { ERROR_CODES, type CareError, type ErrorCode, type Result } from '../protocol/index.js';

export interface IcsRequest {
  /** The backend's URL (normalized, no trailing slash). */
  host: string;
  pageId: string;
  taskId: string;
  /** The visitor's own Bearer token: the file says what they may see (details only to volunteers and the family). */
  token: string | null;
}

const failure = (code: ErrorCode, message: string): { ok: false; error: CareError } => ({ ok: false, error: { code, message } });

/**
 * A planner task's calendar file (SPEC 6.4, `GET /api/pages/:id/tasks/:taskId.ics`), fetched
 * with the visitor's own token: a plain link cannot carry it, and the token must not go into
 * a URL (logs, history, Referer). Answers the file as a Blob, or a `CareError`, never throwing.
 */
export async function fetchIcs(req: IcsRequest): Promise<Result<{ blob: Blob; filename: string }>> {
  if (!req.token) return failure('unauthorized', 'Sign in to add a task to your calendar.');
  let res: Response;
  try {
    res = await fetch(`${req.host}/api/pages/${encodeURIComponent(req.pageId)}/tasks/${encodeURIComponent(req.taskId)}.ics`, {
      headers: { Authorization: `Bearer ${req.token}` },
      credentials: 'omit',
    });
  } catch {
    return failure('unavailable', 'The calendar file could not be fetched (network).');
  }
  if (!res.ok) {
    try {
      const e = ((await res.json()) as { error?: { code?: unknown; message?: unknown } }).error;
      if (e && ERROR_CODES.includes(e.code as ErrorCode)) return failure(e.code as ErrorCode, typeof e.message === 'string' ? e.message : String(e.code));
    } catch {
      // Not JSON: the status says enough.
    }
    const code: ErrorCode = res.status === 401 ? 'unauthorized' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'not_found' : res.status === 429 ? 'rate_limited' : 'unavailable';
    return failure(code, `The server answered ${res.status}.`);
  }
  const blob = await res.blob();
  return { ok: true, blob: blob.type ? blob : new Blob([blob], { type: 'text/calendar' }), filename: `task-${req.taskId}.ics` };
}

/** Hands a file to the browser's download (an object URL on a temporary link, revoked after). */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
