/** Prints the closing `N passed, N failed` line that CI reads (WTR's own summary is not that). */
export function summaryReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const t of suite.tests ?? []) {
          if (t.skipped) skipped++;
          else if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite.suites ?? []) walk(s);
      };
      for (const s of sessions) {
        if (s.testResults) walk(s.testResults);
        // A file that failed to load has errors but no test results: count it as a failure.
        if ((s.errors?.length ?? 0) > 0 && !s.testResults?.tests?.length && !s.testResults?.suites?.length) failed++;
      }
      process.stdout.write(`\nbrowser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    },
  };
}
