#!/usr/bin/env node
/**
 * care-widgets-conformance: runs the protocol checks against any backend.
 *
 *   npx care-widgets-conformance --url https://care.example.org \
 *     --token-url https://care.example.org/test/token --page conformance-page
 *
 * Prints PASS/FAIL per rule and a summary; exits 1 when any rule fails, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { RULES, runChecks } from './checks.mjs';

const USAGE = `Usage: care-widgets-conformance --url <backend> --token-url <url> --page <public page id> [options]

Runs the care-widgets wire-protocol checks (protocol version 1) against a backend and
prints PASS/FAIL per rule. Exit code: 0 all rules pass, 1 a rule failed, 2 bad usage.

Options:
  --url <url>          the backend's base URL, e.g. https://care.example.org (required)
  --token-url <url>    a URL that answers GET <url>?user=<id> with JSON { "token": "<JWT>" }
                       for ANY user id (a test-only endpoint; the reference server's demo
                       mode has one at /demo/token) (required)
  --page <id>          a PUBLIC page on which any signed-in visitor may post on the wall,
                       without pre-moderation (required; e.g. jane-doe on the reference
                       server in demo mode)
  --owner <user id>    the page's owner; never used as a test user (optional)
  --manager <user id>  a user who may manage the page (its owner, say): the second-wave
                       rules marked [manager] act as them (they read the settings, create
                       and revoke an invitation, post and delete a journal update, create
                       and cancel a planner task); skipped without it (optional)
  --namespace <ns>     Socket.IO namespace (default: /care)
  --timeout <ms>       how long to wait for each answer or event (default: 5000)
  --polling            allow HTTP long-polling as well as WebSocket
  --json               print the results as JSON instead of text
  -h, --help           show this help

The checks connect as throw-away users "conformance-<random>-a" to "-d", post a few wall
messages on the page and delete them again at the end. Second-wave rules run only for the
features the page announces (page.features) and are reported SKIP otherwise.

Rules:
${RULES.map(([rule, what]) => `  ${rule.padEnd(30)} ${what}`).join('\n')}
`;

function fail(message) {
  process.stderr.write(`care-widgets-conformance: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string' },
      'token-url': { type: 'string' },
      page: { type: 'string' },
      owner: { type: 'string' },
      manager: { type: 'string' },
      namespace: { type: 'string', default: '/care' },
      timeout: { type: 'string', default: '5000' },
      polling: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  fail(err.message);
}

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.url) fail('--url is required');
if (!values['token-url']) fail('--token-url is required');
if (!values.page) fail('--page is required');
const timeoutMs = Number(values.timeout);
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) fail('--timeout must be a positive number of milliseconds');

const tokenUrl = values['token-url'];
async function tokenFor(userId) {
  if (values.owner && userId === values.owner && userId !== values.manager) throw new Error('refusing to act as the page owner');
  const u = new URL(tokenUrl);
  u.searchParams.set('user', userId);
  const res = await fetch(u, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${u} answered ${res.status}`);
  const body = await res.json().catch(() => null);
  if (!body || typeof body.token !== 'string' || !body.token) throw new Error(`GET ${u} did not answer { "token": "…" }`);
  return body.token;
}

const log = values.json ? () => {} : (line) => process.stdout.write(`${line}\n`);
if (!values.json) log(`care-widgets conformance: ${values.url} (page "${values.page}")\n`);

let results;
try {
  results = await runChecks({
    url: values.url,
    tokenFor,
    page: values.page,
    owner: values.owner,
    manager: values.manager,
    namespace: values.namespace,
    timeoutMs,
    transports: values.polling ? ['polling', 'websocket'] : ['websocket'],
    log,
  });
} catch (err) {
  process.stderr.write(`care-widgets-conformance: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

const failed = results.filter((r) => !r.pass);
if (values.json) {
  process.stdout.write(`${JSON.stringify({ url: values.url, page: values.page, passed: results.length - failed.length, failed: failed.length, results }, null, 2)}\n`);
} else {
  log(`\n${results.length - failed.length}/${results.length} rules passed${failed.length ? `; FAILED: ${failed.map((r) => r.rule).join(', ')}` : ''}`);
}
process.exit(failed.length ? 1 : 0);
