import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createCareServer } from '../server/src/app.js';
import { configFromEnv } from '../server/src/config.js';
const server = await createCareServer(configFromEnv({ CARE_DB: `sqlite:${join(mkdtempSync(join(tmpdir(), 'cu-')), 'a.db')}`, CARE_JWT_SECRET: 'x'.repeat(32), CARE_RATE_LIMITS: 'off' }, { distDir: '', demoDir: '' }));
const st: any = server.storage;
await st.createPage({ id: 'p', title: 't', visibility: 'public', wallModeration: 'post', owners: ['o'], editors: [] });
for (let i = 0; i < 1000; i++) await server.service.postWall({ identity: { userId: `u${i % 20}`, name: 'u', staff: null, exp: null }, ip: null }, { pageId: 'p', clientId: `c${i}`, body: 'Thinking of you all today. The whole team sends love and we are so glad to hear the surgery went well - see you on Sunday!' });
const times = new Map<string, number[]>();
for (const m of ['getPage', 'memberRole', 'getFollow', 'changesSince', 'journalByIds', 'wallByIds', 'heartedBy']) {
  const orig = st[m].bind(st);
  st[m] = async (...a: any[]) => { const t = performance.now(); try { return await orig(...a); } finally { (times.get(m) ?? times.set(m, []).get(m)!).push(performance.now() - t); } };
}
const fakeSocket: any = { join() {}, leave() {} };
const totals: number[] = []; const ser: number[] = [];
for (let r = 0; r < 12; r++) {
  const t = performance.now();
  const a = await server.service.subscribe(fakeSocket, { identity: { userId: 'reader', name: 'r', staff: null, exp: null }, ip: null }, { pageId: 'p', since: 0 });
  totals.push(performance.now() - t);
  const t2 = performance.now(); JSON.stringify(a); ser.push(performance.now() - t2);
}
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };
console.log(`subscribe{since} for 1000 changes: median ${med(totals).toFixed(2)} ms (JSON.stringify of the answer ${med(ser).toFixed(2)} ms)`);
for (const [m, a] of times) console.log(`  ${m.padEnd(13)} median ${med(a).toFixed(3)} ms`);
await server.close();
{
  const server2 = await createCareServer(configFromEnv({ CARE_DB: `sqlite:${join(mkdtempSync(join(tmpdir(), 'cu-')), 'a.db')}`, CARE_JWT_SECRET: 'x'.repeat(32), CARE_RATE_LIMITS: 'off' }, { distDir: '', demoDir: '' }));
  const s2: any = server2.storage;
  await s2.createPage({ id: 'p', title: 't', visibility: 'public', wallModeration: 'post', owners: ['o'], editors: [] });
  for (let i = 0; i < 1000; i++) await server2.service.postWall({ identity: { userId: `u${i % 20}`, name: 'u', staff: null, exp: null }, ip: null }, { pageId: 'p', clientId: `c${i}`, body: 'hello there' });
  const ids = (await s2.db.selectFrom('changes').select('item_id').where('page_id', '=', 'p').execute()).map((r: any) => r.item_id);
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < 15; r++) {
    let t = performance.now(); await s2.wallByIds('p', ids); a.push(performance.now() - t);
    t = performance.now();
    await s2.db.selectFrom('changes as c').innerJoin('wall_messages as w', 'w.id', 'c.item_id').selectAll('w').where('c.page_id', '=', 'p').where('c.seq', '>', 0).where('c.type', 'in', ['wall', 'hearts']).execute();
    b.push(performance.now() - t);
  }
  console.log(`wallByIds(1000 ids, IN list) median ${med(a).toFixed(2)} ms; same rows by a join on changes.seq > since: ${med(b).toFixed(2)} ms`);
  await server2.close();
}
