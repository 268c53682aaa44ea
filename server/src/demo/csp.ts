import type { NextFunction, Request, Response } from 'express';

/**
 * The strict Content-Security-Policy the demo site is served with, to prove the widgets need
 * nothing looser: scripts only from this origin (no inline, no eval), Trusted Types required
 * for every DOM sink with only the widgets' two policies allowed, styles only from this origin
 * (the widgets use constructable stylesheets and CSSOM, neither of which style-src
 * restricts), connections only back to this origin.
 */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  // The two policies the README names: Lit's, and the loader's for its chunks' script URLs.
  'trusted-types lit-html care-widgets',
].join('; ');

export function demoCsp(_req: Request, res: Response, next: NextFunction): void {
  res.set('Content-Security-Policy', DEMO_CSP);
  res.set('Referrer-Policy', 'no-referrer');
  res.set('X-Content-Type-Options', 'nosniff');
  next();
}
