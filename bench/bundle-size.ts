import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
// @ts-expect-error: a plain .mjs config module without types
import { terserOptions } from '../terser.config.mjs';
// @ts-expect-error: a plain .mjs module without types
import { withoutWebTransport } from '../scripts/without-webtransport.mjs';

export interface SizeResult {
  bundleGzip: number;
  floorGzip: number;
  ratio: number;
  overFloor: number;
}

/** Builds the floor the same way as dist/care-widgets.js (IIFE, browser build, no WebTransport, terser). */
async function floorBytes(): Promise<Buffer> {
  const build = await rollup({
    input: new URL('./floor-entry.js', import.meta.url).pathname,
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }), withoutWebTransport(), terser(terserOptions)],
    onwarn: () => {},
  });
  const { output } = await build.generate({ format: 'iife', name: 'Floor' });
  await build.close();
  return Buffer.from(output[0].code);
}

export async function bundleSize(): Promise<SizeResult> {
  const bundle = readFileSync(new URL('../dist/care-widgets.js', import.meta.url));
  const bundleGzip = gzipSync(bundle, { level: 9 }).length;
  const floorGzip = gzipSync(await floorBytes(), { level: 9 }).length;
  return { bundleGzip, floorGzip, ratio: bundleGzip / floorGzip, overFloor: bundleGzip - floorGzip };
}
