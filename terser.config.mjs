/** Minifier settings shared by the script-tag bundle and the size floor it is measured against. */
export const terserOptions = { ecma: 2020, toplevel: true, format: { comments: false }, compress: { passes: 3 } };
