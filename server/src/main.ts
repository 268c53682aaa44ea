import { fileURLToPath } from 'node:url';
import { createCareServer } from './app.js';
import { configFromEnv } from './config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = configFromEnv(process.env, { distDir: `${root}dist`, demoDir: `${root}demo` });
const server = await createCareServer(config);
const url = await server.listen(config.port, process.env.HOST ?? '0.0.0.0');
console.log(`care-widgets server on ${url} (db ${config.db.replace(/\/\/[^@]*@/, '//***@')}${config.demo ? ', demo mode: ' + url + '/demo/' : ''})`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void server.close().then(() => process.exit(0));
  });
}
