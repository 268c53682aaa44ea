/**
 * Helpers of the end-to-end notification tests (notify-e2e*.test.ts): people who sign in with
 * an `email` claim, the checks every received email must pass (nothing of the page in any
 * byte, headers included), counting received mail by recipient and Message-ID, and reading
 * `/metrics` as a hospital's monitoring would.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { signToken, type Client, type TestServer } from './helpers.js';
import { parseMail, rawHeader, type SmtpMessage, type TestSmtp } from './smtp.js';

export interface Person {
  id: string;
  name: string;
  email: string;
}

/** A person whose host site signs tokens with their name and address (the `email` claim). */
export function person(id: string, name: string, domain = 'mail.test'): Person {
  return { id, name, email: `${id}@${domain}` };
}

/** Connects as `p`, with a token carrying `name` and `email`, signed with the server's secret. */
export async function signIn(ts: TestServer, p: Person, secret = ts.secret): Promise<Client> {
  const token = await signToken(secret, { sub: p.id, name: p.name, email: p.email });
  return ts.connect(p.id, { protocolVersion: PROTOCOL_VERSION, token });
}

/** A TCP port free a moment ago (for a server whose own public URL must name its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const messagesTo = (smtp: TestSmtp, address: string): SmtpMessage[] => smtp.messages.filter((m) => m.to.includes(address));

/** `recipient Message-ID` of every accepted message, to count duplicates by. */
export function deliveryIds(messages: SmtpMessage[]): string[] {
  return messages.map((m) => `${m.to.join(',')} ${rawHeader(m, 'Message-ID')}`);
}

/** Each (recipient, Message-ID) received how often, only those received more than once. */
export function duplicates(messages: SmtpMessage[]): [string, number][] {
  const seen = new Map<string, number>();
  for (const id of deliveryIds(messages)) seen.set(id, (seen.get(id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1);
}

/**
 * Nothing of `forbidden` in the message: not in its raw bytes (headers included), and not in
 * what a mail client shows once it decodes them (subject, every header line, text and HTML
 * parts, which quoted-printable or base64 could otherwise hide from a search of the raw bytes).
 * Case-insensitive.
 */
export async function assertPhiFree(m: SmtpMessage, forbidden: string[]): Promise<void> {
  const parsed = await parseMail(m);
  const views: [string, string][] = [
    ['raw message', m.raw],
    ['subject', parsed.subject ?? ''],
    ['header lines', parsed.headerLines.map((h) => h.line).join('\n')],
    ['decoded headers', JSON.stringify([...parsed.headers])],
    ['text part', parsed.text ?? ''],
    ['HTML part', typeof parsed.html === 'string' ? parsed.html : ''],
  ];
  assert.ok(parsed.text, 'a plain-text part');
  assert.ok(typeof parsed.html === 'string' && parsed.html.length > 0, 'an HTML part');
  for (const word of forbidden) {
    for (const [where, text] of views) assert.ok(!text.toLowerCase().includes(word.toLowerCase()), `"${word}" occurs in the ${where}`);
  }
}

/** The value of a counter or gauge sample on `/metrics` (0 when absent). */
export async function metricValue(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = Object.fromEntries([...inner.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return 0;
}

/** The one-click unsubscribe URL of a received email (`List-Unsubscribe: <…>`). */
export function unsubscribeUrl(m: SmtpMessage): string {
  const h = rawHeader(m, 'List-Unsubscribe');
  assert.ok(h, 'a List-Unsubscribe header');
  const match = /^<(https?:\/\/[^>]+)>$/.exec(h);
  assert.ok(match, `List-Unsubscribe is one URL in angle brackets, got ${h}`);
  return match[1]!;
}

/** The local hour of `ms` in `timeZone` (0–23). */
export function hourIn(ms: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(ms));
}

/**
 * Times for a digest test with an injected clock: `start` (a minute boundary ahead of every
 * real time the test writes, in a local hour before `digestHour`), `digestHour` (the next
 * local hour) and `at` (when that hour begins, within about two hours of now, so entries
 * written now fall within the digest's first day).
 */
export function digestTimes(timeZone: string): { start: number; digestHour: number; at: number } {
  // Never before real time: changes made through the server are due at real time.
  const soon = Math.ceil((Date.now() + 2 * 60_000) / 60_000) * 60_000;
  // The digest hour: the next local hour after `soon`'s, never midnight (its day would have
  // no hour before it).
  let at = soon;
  while (hourIn(at, timeZone) === hourIn(soon, timeZone) || hourIn(at, timeZone) === 0) at += 60_000;
  // The clock starts shortly before it, however far off the hour is (after 23:00 it is 01:00):
  // a retry's backoff (30 s, then a minute …) must not come due between start and the hour.
  const start = Math.max(soon, at - 10 * 60_000);
  return { start, digestHour: hourIn(at, timeZone), at };
}

/** A clock that stands still unless moved (the job runner's notion of now, `Config.clock`). */
export function manualClock(start: number) {
  let now = start;
  return { now: () => now, set: (ms: number) => void (now = ms), add: (ms: number) => void (now += ms) };
}
