/** Every error an acknowledgement or a connection refusal can carry (SPEC section 4). */
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid'
  | 'too_large'
  | 'rate_limited'
  | 'conflict'
  | 'unavailable';

export const ERROR_CODES: readonly ErrorCode[] = [
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid',
  'too_large',
  'rate_limited',
  'conflict',
  'unavailable',
];

export interface CareError {
  code: ErrorCode;
  message: string;
}

export interface Failure {
  ok: false;
  error: CareError;
}

/** An acknowledgement: `{ ok: true, ...T }` or `{ ok: false, error }`. */
export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

/** The `data` of a `connect_error` the server raises when it refuses a handshake. */
export interface ConnectErrorData {
  code: 'unauthorized' | 'forbidden' | 'invalid' | 'unsupported_protocol' | 'rate_limited';
  /** The server's protocol version, when `code` is `unsupported_protocol`. */
  protocolVersion?: number;
}
