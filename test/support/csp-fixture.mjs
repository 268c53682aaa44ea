/**
 * A host page served with a Content-Security-Policy response header, for the Trusted Types
 * tests (issue 11): `/csp-fixture.html?host=<backend>&page=<id>&tt=<trusted-types value>&lang=<code>`
 * answers a page that loads the built script-tag bundle, probes first (csp-probe.js records
 * `securitypolicyviolation` and `care-error` events), and holds the three widgets. Without
 * `tt`, no CSP at all. The policy is the README's strict one: scripts from this origin only,
 * connections only to the backend, no styles, no images, Trusted Types required.
 */
export function cspFixtureMiddleware() {
  return async (ctx, next) => {
    if (ctx.path !== '/csp-fixture.html') return next();
    const q = ctx.URL.searchParams;
    const host = new URL(q.get('host') ?? '').origin;
    const page = (q.get('page') ?? '').replace(/[^\w-]/g, '');
    const tt = q.get('tt');
    const lang = (q.get('lang') ?? 'en').replace(/[^\w-]/g, '');
    if (tt !== null) {
      ctx.set(
        'Content-Security-Policy',
        [
          "default-src 'none'",
          "script-src 'self'",
          `connect-src 'self' ${host} ${host.replace(/^http/, 'ws')}`,
          "style-src 'none'",
          "img-src 'none'",
          "require-trusted-types-for 'script'",
          `trusted-types ${tt}`,
        ].join('; '),
      );
    }
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>CSP fixture</title>
<script src="/test/support/csp-probe.js"></script>
<script src="/dist/care-widgets.js" data-care-host="${host}"></script>
<care-follow-button page="${page}"></care-follow-button>
<care-journal-feed page="${page}"></care-journal-feed>
<care-message-wall page="${page}"></care-message-wall>
</html>`;
  };
}
