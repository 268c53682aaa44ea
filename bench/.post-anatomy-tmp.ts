// temp analysis script (deleted after use)
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import pg from 'pg';
import { createCareServer } from '../server/src/app.js';
import { configFromEnv } from '../server/src/config.js';
import { freshPostgres } from '../server/test/pg.js';

const kind = process.argv[2] ?? 'sqlite';
const conc = Number(process.argv[3] ?? 1);
const N = Number(process.argv[4] ?? 300);
let db: string; let drop = async () => {};
if (kind === 'sqlite') db = `sqlite:${join(mkdtempSync(join(tmpdir(), 'pa-')), 'a.db')}`;
else { const f = await freshPostgres('postgres://postgres@127.0.0.1:5432/test'); db = f.url; drop = f.drop; }
let queries = 0;
const origQuery = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (...a: any[]) { queries++; return (origQuery as any).apply(this, a); };
const server = await createCareServer(configFromEnv({ CARE_DB: db, CARE_JWT_SECRET: 'x'.repeat(32), CARE_RATE_LIMITS: 'off' }, { distDir: '', demoDir: '' }));
const st: any = server.storage;
if (process.env.SYNC) { const { sql } = await import('../server/node_modules/kysely/dist/esm/index.js'); await sql.raw(`PRAGMA synchronous = ${process.env.SYNC}`).execute(st.db); }
const times = new Map<string, number[]>();
for (const m of ['getPage', 'memberRole', 'getFollow', 'postWall', 'appendAudit']) {
  const orig = st[m].bind(st);
  st[m] = async (...a: any[]) => { const t = performance.now(); try { return await orig(...a); } finally { (times.get(m) ?? times.set(m, []).get(m)!).push(performance.now() - t); } };
}
const pages = [];
for (let i = 0; i < (process.argv[5] === 'spread' ? conc : 1); i++) { pages.push(`pa-${i}`); await st.createPage({ id: `pa-${i}`, title: 't', visibility: 'public', wallModeration: 'post', owners: ['o'], editors: [] }); }
const post = (u: number, k: number) => server.service.postWall({ identity: { userId: `u${u}`, name: `u${u}`, staff: null, exp: null }, ip: '127.0.0.1' }, { pageId: pages[u % pages.length]!, clientId: `c${u}-${k}`, body: 'hello '.repeat(20) });
for (let k = 0; k < 30; k++) await post(0, 100000 + k); // warm
times.clear(); queries = 0;
const t0 = performance.now(); let done = 0;
await Promise.all(Array.from({ length: conc }, async (_, u) => { for (let k = 0; done < N; k++) { done++; await post(u, k); } }));
const el = performance.now() - t0;
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };
console.log(`${kind} conc=${conc} ${process.argv[5] ?? 'one page'}: ${(done / el * 1000).toFixed(0)} posts/s, ${(el / done).toFixed(2)} ms/post${kind !== 'sqlite' ? `, ${(queries / done).toFixed(1)} pg queries/post` : ''}`);
for (const [m, a] of times) console.log(`  ${m.padEnd(12)} median ${med(a).toFixed(3)} ms  total ${(a.reduce((x, y) => x + y, 0)).toFixed(0)} ms over ${a.length}`);
await server.close(); await drop();
