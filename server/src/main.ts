import { fileURLToPath } from 'node:url';

// The entry point of `npm start` (root and server/) and of any deployment that runs this file:
// production unless the operator says otherwise. Express reads NODE_ENV when the app is made
// (its default error page shows stacks outside production; app.ts answers every error itself,
// this is the second line). Set here rather than in the npm scripts so `node src/main.ts`, a
// container's CMD and a systemd unit get it too; imported dynamically so nothing can read
// NODE_ENV before this line.
process.env.NODE_ENV ||= 'production';
const { createCareServer } = await import('./app.js');
const { configFromEnv } = await import('./config.js');

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
