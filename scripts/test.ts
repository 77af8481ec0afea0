/**
 * `npm test`: lints the tree first (ESLint and Prettier: any finding or unformatted file fails the run before a test
 * starts), builds the web app for the browser tests, runs the whole Vitest suite against real services,
 * and ends with one plain "N passed, N failed" line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const node = process.execPath;
const results = path.join(ROOT, '.data', 'test-results.json');
fs.mkdirSync(path.dirname(results), { recursive: true });
fs.rmSync(results, { force: true });

// the lint: both tools run, so one run reports every finding and every unformatted file
const lintStarted = performance.now();
const eslint = spawnSync(node, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--max-warnings', '0', '.'], {
  cwd: ROOT,
  stdio: 'inherit',
});
const prettier = spawnSync(
  node,
  [path.join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'],
  { cwd: ROOT, stdio: 'inherit' },
);
const lintSeconds = ((performance.now() - lintStarted) / 1000).toFixed(1);
if (eslint.status !== 0 || prettier.status !== 0) {
  const what = [
    eslint.status !== 0 ? 'ESLint findings' : null,
    prettier.status !== 0 ? 'unformatted files (npx prettier --write .)' : null,
  ].filter(Boolean);
  console.error(`Lint failed: ${what.join(' and ')}, listed above. No test was run.`);
  process.exit(1);
}
console.log(`Lint clean (ESLint, Prettier) in ${lintSeconds} s`);

const build = spawnSync(
  node,
  [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  { cwd: ROOT, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(
  node,
  [
    path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${results}`,
    ...process.argv.slice(2),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
// the verdict comes from the report, not only the exit status: a library's exit hook must never turn red into green
if (!fs.existsSync(results)) process.exit(run.status || 1);
const r = JSON.parse(fs.readFileSync(results, 'utf8')) as {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numFailedTestSuites: number;
  numTotalTests: number;
};
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
const failed = !r.success || r.numFailedTests > 0 || r.numFailedTestSuites > 0 || r.numTotalTests === 0;
process.exit(failed ? 1 : (run.status ?? 1));
