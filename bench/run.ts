/**
 * `npm run bench`: measures what the issues ask for and prints a table. Sizes are exact; any
 * timing is reported as a median against a baseline run in the same process.
 */
import { bundleSize } from './bundle-size.js';

const BUDGET_GZIP = 45 * 1024;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const size = await bundleSize();
console.log('Bundle (dist/care-widgets.js, gzip -9)');
console.log(`  care-widgets: ${kb(size.bundleGzip)}   floor (lit + socket.io-client + dompurify): ${kb(size.floorGzip)}`);
console.log(`  ratio ${size.ratio.toFixed(2)}x, ${kb(size.overFloor)} over the floor; budget ${kb(BUDGET_GZIP)}: ${size.bundleGzip <= BUDGET_GZIP ? 'met' : 'EXCEEDED'}`);
