import { chunks } from 'care-widgets:manifest';

/** The part of the Trusted Types API the loader uses (not in TypeScript's DOM types yet). */
interface TrustedTypes {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): string };
}

/**
 * Inserts the chunks as classic scripts beside the loader, each once, each with its SRI hash
 * (`integrity`, so `crossorigin`: the server sends `Access-Control-Allow-Origin: *`) and the
 * loader's own `nonce`, for a CSP that allows scripts by nonce.
 *
 * Under `require-trusted-types-for 'script'`, a script's `src` takes only a TrustedScriptURL:
 * the loader creates the policy `care-widgets` for it (the README names it), which turns into
 * URLs only the chunks of this build. Created as the loader starts, like Lit's `lit-html`: a
 * CSP that refuses it throws there, and the try/catch around the loader
 * (scripts/blocked-by-csp.mjs) shows the widgets' blocked-by-CSP notice.
 */
export function chunkScripts(loader: HTMLScriptElement | null): (id: string) => Promise<void> {
  const base = loader?.src || location.href;
  const hashes = new Map(chunks.map(([id, sri]) => [new URL(`${id}.js`, base).href, sri]));
  const policy = (window as { trustedTypes?: TrustedTypes }).trustedTypes?.createPolicy('care-widgets', {
    createScriptURL(url) {
      if (!hashes.has(url)) throw new TypeError(`care-widgets: ${url} is none of its chunks`);
      return url;
    },
  });
  const loading = new Map<string, Promise<void>>();
  return (id) => {
    let done = loading.get(id);
    if (!done) {
      done = new Promise((resolve, reject) => {
        const url = new URL(`${id}.js`, base).href;
        const s = document.createElement('script');
        s.src = (policy ? policy.createScriptURL(url) : url) as string;
        s.integrity = hashes.get(url) ?? '';
        s.crossOrigin = 'anonymous';
        if (loader?.nonce) s.nonce = loader.nonce;
        s.onload = () => resolve();
        s.onerror = () => reject(new Error(`could not load ${url}: a network error, or bytes that do not match the integrity hash this loader carries (serve dist/ as one build)`));
        document.head.append(s);
      });
      loading.set(id, done);
    }
    return done;
  };
}
