/**
 * `npm test`: type checks, build, server suite (node:test), browser suite (Web Test Runner).
 * Stops at the first failing step, and always ends with one `total: N passed, N failed` line
 * that adds up both suites, for CI to read.
 */
import { spawn } from 'node:child_process';

const steps = [
  { name: 'typecheck', cmd: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'build', cmd: 'npm', args: ['run', '--silent', 'build'] },
  { name: 'docs', cmd: 'node', args: ['scripts/element-docs.mjs', '--check'] },
  { name: 'package', cmd: 'node', args: ['--test', 'test/package/'], count: /^# (pass|fail) (\d+)$/gm },
  { name: 'server', cmd: 'npm', args: ['run', '--silent', 'test:server'], count: /^# (pass|fail) (\d+)$/gm },
  { name: 'browser', cmd: 'npm', args: ['run', '--silent', 'test:browser'], count: /^browser: (\d+) passed, (\d+) failed/gm },
];

let passed = 0;
let failed = 0;

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
    });
    child.on('close', (code) => {
      if (step.count) {
        for (const m of out.matchAll(step.count)) {
          if (m[1] === 'pass') passed += Number(m[2]);
          else if (m[1] === 'fail') failed += Number(m[2]);
          else {
            passed += Number(m[1]);
            failed += Number(m[2]);
          }
        }
      }
      resolve(code ?? 1);
    });
  });
}

let exit = 0;
for (const step of steps) {
  const code = await run(step);
  if (code !== 0) {
    console.error(`\n${step.name} failed (exit ${code})`);
    if (!step.count || failed === 0) failed += 1;
    exit = 1;
    break;
  }
}
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(exit);
