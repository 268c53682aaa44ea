// Loaded first by /csp-fixture.html (test/support/csp-fixture.mjs): records what the test asserts on.
window.__violations = [];
window.__careErrors = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`));
document.addEventListener('care-error', (e) => window.__careErrors.push({ tag: e.target.localName, ...e.detail }));
