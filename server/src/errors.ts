import type { CareError, ErrorCode, Failure } from '../../src/protocol/index.js';

/** A refusal the client should see as `{ ok: false, error }`; anything else is `unavailable`. */
export class CareFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CareFailure';
  }

  toError(): CareError {
    return { code: this.code, message: this.message };
  }
}

export const fail = (code: ErrorCode, message: string): never => {
  throw new CareFailure(code, message);
};

export function toFailure(err: unknown): Failure {
  if (err instanceof CareFailure) return { ok: false, error: err.toError() };
  return { ok: false, error: { code: 'unavailable', message: 'The server could not complete the request; try again.' } };
}

/** HTTP status for each error code of the admin REST API. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 400,
  too_large: 413,
  rate_limited: 429,
  conflict: 409,
  unavailable: 503,
};
