// temp experiment (deleted after use): 50 concurrent writers on one page, raw pg, current statement shape vs one CTE statement
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStorage } from '../server/src/storage/index.js';
import { freshPostgres } from '../server/test/pg.js';
const f = await freshPostgres('postgres://postgres@127.0.0.1:5432/test');
const st = await openStorage(f.url, 10000);
await st.createPage({ id: 'p', title: 't', visibility: 'public', wallModeration: 'post', owners: ['o'], editors: [] });
await st.close();
const pool = new pg.Pool({ connectionString: f.url, max: 10 });
if (process.argv[2] === 'async') pool.on('connect', (c) => void c.query('set synchronous_commit = off'));
const now = () => new Date().toISOString();
async function current(u: number, k: number) {
  // access: 3 reads + idempotency read
  await Promise.all([pool.query('select * from pages where id=$1', ['p'])]);
  await Promise.all([pool.query('select role from page_members where page_id=$1 and user_id=$2', ['p', `u${u}`]), pool.query('select * from follows where page_id=$1 and user_id=$2', ['p', `u${u}`])]);
  await pool.query('select * from wall_messages where page_id=$1 and author_id=$2 and client_id=$3', ['p', `u${u}`, `c${u}-${k}`]);
  const c = await pool.connect();
  try {
    await c.query('begin');
    const { rows } = await c.query('update pages set seq = seq + 1 where id=$1 returning seq', ['p']);
    const seq = rows[0].seq; const id = randomUUID();
    await c.query('insert into changes (page_id, seq, type, item_id, data, created_at) values ($1,$2,$3,$4,$5,$6)', ['p', seq, 'wall', id, null, now()]);
    await c.query('insert into wall_messages (id,page_id,seq,client_id,author_id,author_name,body,created_at,hidden,pending,hearts) values ($1,$2,$3,$4,$5,$6,$7,$8,0,0,0)', [id, 'p', seq, `c${u}-${k}`, `u${u}`, `u${u}`, 'hello', now()]);
    await c.query('commit');
  } finally { c.release(); }
  await pool.query('insert into audit_log (at,page_id,actor_id,actor_role,action,target,detail,ip) values ($1,$2,$3,$4,$5,$6,$7,$8)', [now(), 'p', `u${u}`, 'visitor', 'wall.post', 'x', null, '127.0.0.1']);
}
async function cte(u: number, k: number) {
  // access: one joined read
  await pool.query(`select p.*, m.role, f.state from pages p left join page_members m on m.page_id=p.id and m.user_id=$2 left join follows f on f.page_id=p.id and f.user_id=$2 where p.id=$1`, ['p', `u${u}`]);
  const id = randomUUID();
  await pool.query(`with s as (update pages set seq = seq + 1 where id=$1 returning seq),
    c as (insert into changes (page_id, seq, type, item_id, data, created_at) select $1, s.seq, 'wall', $2, null, $3 from s),
    a as (insert into audit_log (at,page_id,actor_id,actor_role,action,target,detail,ip) values ($3,$1,$5,'visitor','wall.post',$2,null,'127.0.0.1'))
    insert into wall_messages (id,page_id,seq,client_id,author_id,author_name,body,created_at,hidden,pending,hearts)
    select $2, $1, s.seq, $4, $5, $5, 'hello', $3, 0, 0, 0 from s on conflict do nothing returning seq`, ['p', id, now(), `c${u}-${k}`, `u${u}`]);
}
for (const [name, fn] of [['current (10 round trips, lock over 3 + commit)', current], ['one CTE statement (2 round trips)', cte], ['current', current], ['cte', cte]] as const) {
  let n = 0; const t0 = performance.now(); const end = t0 + 2500;
  await Promise.all(Array.from({ length: 50 }, async (_, u) => { for (let k = 0; performance.now() < end; k++) { await fn(u, k + Math.floor(t0)); n++; } }));
  console.log(`${name}: ${(n / (performance.now() - t0) * 1000).toFixed(0)} posts/s`);
}
await pool.end(); await f.drop();
