import type { Request, Response } from 'express';
import { SignJWT } from 'jose';
import { DEMO_USERS } from './users.js';

const TOKEN_TTL_SECONDS = 15 * 60;

/** Signs a demo token, as a host site's own backend would for its signed-in visitor. */
export async function signDemoToken(secret: string, userId: string, ttlSeconds = TOKEN_TTL_SECONDS, opts: { email?: boolean } = {}): Promise<string> {
  const known = DEMO_USERS[userId];
  const claims: Record<string, unknown> = { name: known?.name ?? userId };
  // An address under `.invalid` (RFC 2606: never delivered anywhere): demo mode delivers to
  // its local mailbox page (/demo/mailbox), never to the internet.
  if (opts.email !== false) claims.email = demoEmail(userId);
  if (known?.staff) claims.care_role = known.staff;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** A demo user's address (the token's `email` claim, SPEC 6.2). */
export function demoEmail(userId: string): string {
  return `${userId}@demo.care-widgets.invalid`;
}

/**
 * `GET /demo/token?user=<id>`: `{ token }` for any user id (demo mode only). Without a
 * user it answers 204, which the widgets read as "nobody is signed in".
 */
export function demoTokenRoute(secret: string) {
  return async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    const user = req.query.user;
    if (user === undefined || user === '') {
      res.status(204).end();
      return;
    }
    if (typeof user !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(user)) {
      res.status(400).json({ error: { code: 'invalid', message: 'user must be 1-64 letters, digits, _ or -.' } });
      return;
    }
    res.json({ token: await signDemoToken(secret, user) });
  };
}
