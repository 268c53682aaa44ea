/** Generates custom-elements.json from the components' JSDoc (`npm run analyze`). */
export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts', 'src/components/**/window.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
