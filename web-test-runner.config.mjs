import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { careServerPlugin, careTokenMiddleware } from './test/support/care-server-plugin.mjs';
import { cspFixtureMiddleware } from './test/support/csp-fixture.mjs';
import { distMiddleware } from './test/support/dist-middleware.mjs';
import { reactEsmPlugin } from './test/support/react-esm-plugin.mjs';
import { summaryReporter } from './test/support/summary-reporter.mjs';
import { defaultReporter } from '@web/test-runner';

/**
 * Browser tests: real headless Chromium (Debian's), against the real reference server that
 * the care-server plugin starts on a random loopback port with an in-memory SQLite store.
 */
export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
  browserStartTimeout: 60000,
  middleware: [careTokenMiddleware(), cspFixtureMiddleware(), distMiddleware()],
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }), careServerPlugin(), reactEsmPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    }),
  ],
  reporters: [defaultReporter(), summaryReporter()],
};
