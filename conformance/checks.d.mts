/** Types of conformance/checks.mjs. */
export declare const PROTOCOL_VERSION: 1;
export declare const NAMESPACE: '/care';
export declare const ERROR_CODES: readonly string[];
export declare const WALL_BODY_MAX: number;
/** Every rule as `[name, what it checks]`, in the order the rules run. */
export declare const RULES: ReadonlyArray<readonly [string, string]>;

export interface CheckResult {
  rule: string;
  pass: boolean;
  detail: string;
  /** The rule did not apply (its feature is not announced, or it needs `manager`); counts as a pass. */
  skipped?: true;
}

export interface CheckOptions {
  /** The backend's base URL; the namespace is appended. */
  url: string;
  /** Resolves with a valid token for any user id. */
  tokenFor(userId: string): Promise<string>;
  /** A public page on which signed-in visitors may post on the wall. */
  page: string;
  /** The page owner's user id (informational). */
  owner?: string;
  /** A user who may manage the page (SPEC 6.1): the rules marked "manager" act as them; skipped without it. */
  manager?: string;
  namespace?: string;
  timeoutMs?: number;
  transports?: Array<'websocket' | 'polling'>;
  log?(line: string): void;
}

export declare function forgedToken(sub?: string): string;
export declare function runChecks(opts: CheckOptions): Promise<CheckResult[]>;
