// Prerendered at build time: the build itself imports the package on Node.
export const prerender = true;
