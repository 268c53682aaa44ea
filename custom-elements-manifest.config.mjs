/**
 * Generates custom-elements.json from the components' JSDoc (`npm run analyze`, part of the
 * build). The plugin drops what the analyzer misreads in plain `static properties` (internal
 * `state: true` fields listed as attributes) and the base class's generic `emit(type)`.
 */
function publicApiOnly() {
  return {
    name: 'public-api-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const d of mod.declarations ?? []) {
          const hidden = new Set((d.members ?? []).filter((m) => m.privacy === 'private' || m.privacy === 'protected' || m.name.startsWith('#')).map((m) => m.name));
          if (d.attributes) d.attributes = d.attributes.filter((a) => !hidden.has(a.fieldName ?? a.name));
          if (d.members) d.members = d.members.filter((m) => !hidden.has(m.name));
          if (d.events) d.events = d.events.filter((e) => e.name && e.name !== 'type');
        }
      }
    },
  };
}

export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts', 'src/components/**/window.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [publicApiOnly()],
};
