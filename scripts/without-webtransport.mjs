/**
 * Leaves Engine.IO's WebTransport transport (and the stream codecs only it uses) out of the
 * script-tag bundle: the widgets ask for `polling` and `websocket` only (connection.ts; the
 * transports of docs/protocol.md), so it could never be used. Saved 814 B gzip (46,514 -> 45,700 B).
 */
export const withoutWebTransport = () => ({
  name: 'without-webtransport',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('/engine.io-client/build/esm/transports/index.js')) return null;
    const out = code.replace(/^import \{ WT \} from "\.\/webtransport\.js";\n/m, '').replace(/\n\s*webtransport: WT,/, '');
    if (out.includes('WT')) this.error('engine.io-client/build/esm/transports/index.js changed: update withoutWebTransport()');
    return { code: out, map: null };
  },
});
