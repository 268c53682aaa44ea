/**
 * A real SMTP server for tests (the `smtp-server` package on a random loopback port, no TLS,
 * no auth needed): it keeps every message it accepts, can refuse at a given stage with a given
 * code, and can hold messages after their DATA (the whole message received, the final reply
 * not yet sent) until released, for tests that kill a sender mid-send.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpMessage {
  from: string;
  to: string[];
  /** The message exactly as received (CRLF line ends, dot-unstuffed), headers included. */
  raw: string;
}

export type SmtpStage = 'mail' | 'rcpt' | 'data';

export interface TestSmtp {
  /** `smtp://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Every message accepted (a 250 after DATA), in order. */
  messages: SmtpMessage[];
  /** How many transactions reached the end of DATA (accepted, refused or held). */
  dataCount(): number;
  /** The next accepted message not yet returned by this function; rejects after `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<SmtpMessage>;
  /** Refuse at `stage` with `code` (4xx or 5xx), `times` times (default: until `accept()`). */
  refuse(stage: SmtpStage, code: number, times?: number): void;
  /** Stop refusing. */
  accept(): void;
  /** From now on, hold each message after its DATA instead of answering. */
  hold(): void;
  /** Resolves once `n` messages are held. */
  waitHeld(n: number, timeoutMs?: number): Promise<void>;
  /** The messages held now (received, not answered: not accepted). */
  heldMessages(): SmtpMessage[];
  /** Answers every held message (250 and kept, or a 451) and stops holding. */
  release(o?: { accept?: boolean }): void;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: SmtpMessage[] = [];
  let cursor = 0;
  let data = 0;
  let refusal: { stage: SmtpStage; code: number; left: number } | null = null;
  let holding = false;
  const held: { message: SmtpMessage; answer: (accept: boolean) => void }[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };

  const refused = (stage: SmtpStage): Error | null => {
    if (!refusal || refusal.stage !== stage || refusal.left <= 0) return null;
    refusal.left -= 1;
    const code = refusal.code;
    return Object.assign(new Error(code >= 500 ? 'Refused for good (test)' : 'Try again later (test)'), { responseCode: code });
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Pooled client connections stay open; do not wait 30 s for them on close().
    closeTimeout: 200,
    onMailFrom(_address, _session, cb) {
      cb(refused('mail'));
    },
    onRcptTo(_address, _session, cb) {
      cb(refused('rcpt'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        data += 1;
        const message: SmtpMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const answer = (accept: boolean) => {
          if (!accept) return cb(Object.assign(new Error('Try again later (test)'), { responseCode: 451 }));
          messages.push(message);
          cb(null, 'Queued (test)');
          changed();
        };
        const err = refused('data');
        if (err) {
          cb(err);
          changed();
        } else if (holding) {
          held.push({ message, answer });
          changed();
        } else answer(true);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  const until = (done: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`SMTP test server: timed out waiting for ${what}`));
      }, timeoutMs);
      waiters.add(check);
    });

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    dataCount: () => data,
    async nextMessage(timeoutMs = 5_000) {
      await until(() => messages.length > cursor, 'a message', timeoutMs);
      return messages[cursor++]!;
    },
    refuse(stage, code, times = Number.POSITIVE_INFINITY) {
      refusal = { stage, code, left: times };
    },
    accept() {
      refusal = null;
    },
    hold() {
      holding = true;
    },
    waitHeld: (n, timeoutMs = 5_000) => until(() => held.length >= n, `${n} held messages`, timeoutMs),
    heldMessages: () => held.map((h) => h.message),
    release({ accept = true } = {}) {
      holding = false;
      for (const h of held.splice(0)) h.answer(accept);
    },
    close() {
      holding = false;
      for (const h of held.splice(0)) h.answer(false);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The message parsed (mailparser), for its parts and structured headers. */
export function parseMail(m: SmtpMessage): Promise<ParsedMail> {
  return simpleParser(m.raw);
}

/** A header's value as sent, unfolded (RFC 5322 2.2.3), or `undefined`. */
export function rawHeader(m: SmtpMessage, name: string): string | undefined {
  const head = m.raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n(?=[ \t])/g, '');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
