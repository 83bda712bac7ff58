// `node --import tsx .ci/check-test-report.ts REPORT EXIT_STATUS`: CI's verdict on a jest run (see
// test-report.ts). Prints each problem, then on its last line "PASSED FAILED" for .ci/run to add up;
// exits 1 unless the run is green.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFloor, testRunVerdict, type JestReport } from './test-report.js';

const [reportPath, exitStatus] = process.argv.slice(2);
if (!reportPath || exitStatus === undefined) {
  console.error('usage: node --import tsx .ci/check-test-report.ts REPORT EXIT_STATUS');
  process.exit(2);
}
// Jest names files by their real path.
const root = realpathSync(resolve(import.meta.dirname, '..'));
const report = existsSync(reportPath) && statSync(reportPath).size > 0 ? (JSON.parse(readFileSync(reportPath, 'utf8')) as JestReport) : null;
// The tracked test files: what a clean clone has, and what jest must have run.
const paths = execFileSync('git', ['ls-files', '-z', '--', '*.test.ts'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const sources = paths.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
const floor = parseFloor(readFileSync(join(root, '.ci', 'test-floor'), 'utf8'));

const verdict = testRunVerdict({ report, exitCode: Number(exitStatus), sources, floor, root });
for (const problem of verdict.problems) console.error(`test report: ${problem}`);
console.error(`test report: ${verdict.passed} passed (floor ${floor}), ${verdict.failed} failed, ${sources.length} test files`);
console.log(`${verdict.passed} ${verdict.failed}`);
process.exitCode = verdict.failed === 0 ? 0 : 1;
