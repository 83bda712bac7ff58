import { focusedOrSkipped, parseFloor, testRunVerdict, type JestReport, type TestSource } from './test-report.js';

const ROOT = '/repo';
type Suite = JestReport['testResults'][number];
const suite = (path: string, statuses: string[], status = 'passed'): Suite => ({
  name: `${ROOT}/${path}`,
  status,
  assertionResults: statuses.map((s, i) => ({ title: `test ${i}`, fullName: `test ${i}`, status: s })),
});
const report = (suites: Suite[], fields: Partial<JestReport> = {}): JestReport => {
  const count = (s: string) => suites.flatMap((x) => x.assertionResults).filter((a) => a.status === s).length;
  return {
    success: count('failed') === 0,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: count('todo'),
    testResults: suites,
    ...fields,
  };
};
const source = (path: string, text = "test('adds', () => {});\n"): TestSource => ({ path, text });
const verdict = (r: JestReport | null, sources: TestSource[], options: { floor?: number; exitCode?: number } = {}) =>
  testRunVerdict({ report: r, exitCode: options.exitCode ?? 0, sources, floor: options.floor ?? 0, root: ROOT });

describe('focusedOrSkipped', () => {
  test('finds every way of focusing, skipping or inverting a test', () => {
    const text = [
      "test.only('a', () => {});",
      "it.skip('b', () => {});",
      "describe.skip('c', () => {});",
      "test.todo('d');",
      "test.concurrent.only('e', async () => {});",
      "describe.only.each([1])('f %i', () => {});",
      "test.skip.each([1])('g %i', () => {});",
      "xit('h', () => {});",
      "xdescribe('i', () => {});",
      "fit('j', () => {});",
      "fdescribe('k', () => {});",
      "xtest('l', () => {});",
      "test['only']('m', () => {});",
      "test.failing('n', () => {});",
      'const maybe = process.env.SLOW ? describe : describe.skip;',
    ].join('\n');
    const found = focusedOrSkipped(source('x.test.ts', text));
    expect(found.map((f) => [f.line, f.text])).toEqual([
      [1, 'test.only'],
      [2, 'it.skip'],
      [3, 'describe.skip'],
      [4, 'test.todo'],
      [5, 'test.concurrent.only'],
      [6, 'describe.only'],
      [7, 'test.skip'],
      [8, 'xit'],
      [9, 'xdescribe'],
      [10, 'fit'],
      [11, 'fdescribe'],
      [12, 'xtest'],
      [13, "test['only']"],
      [14, 'test.failing'],
      [15, 'describe.skip'],
    ]);
  });

  test('comments, strings and unrelated names are not tests', () => {
    const text = [
      '// test.only would focus; xit would skip',
      'const s = \'test.skip("x")\';',
      'const t = `describe.only`;',
      'const options = { fit: true, only: 1 };',
      'const fit = options.fit;',
      'function xit(): void {}',
      'queue.only(); list.skip(2);',
      "test.each([1])('runs %i', () => {});",
      "test.concurrent('runs', async () => {});",
    ].join('\n');
    expect(focusedOrSkipped(source('x.test.ts', text))).toEqual([]);
  });
});

describe('testRunVerdict', () => {
  test('a whole run with every test passed is green, its counts as jest gave them', () => {
    const r = report([suite('a.test.ts', ['passed', 'passed']), suite('b.test.ts', ['passed'])]);
    expect(verdict(r, [source('a.test.ts'), source('b.test.ts')], { floor: 3 })).toEqual({ passed: 3, failed: 0, problems: [] });
  });

  test('failed tests count as failed', () => {
    const r = report([suite('a.test.ts', ['passed', 'failed'], 'failed')]);
    expect(verdict(r, [source('a.test.ts')], { exitCode: 1 })).toEqual({ passed: 1, failed: 1, problems: [] });
  });

  test('a .only fails the run: named in the source, and the tests it hid are named from the report', () => {
    const r = report([suite('a.test.ts', ['passed', 'pending', 'pending'], 'focused'), suite('b.test.ts', ['passed'])]);
    const result = verdict(r, [source('a.test.ts', "test('x', () => {});\ntest.only('y', () => {});\n"), source('b.test.ts')]);
    expect(result.problems).toEqual(['a.test.ts:2: test.only (a focused, skipped or inverted test)', 'a.test.ts: suite focused', 'a.test.ts: "test 1" pending', 'a.test.ts: "test 2" pending']);
    expect(result.failed).toBe(4);
  });

  test('a .only whose hidden tests the report does not show is still caught in the source', () => {
    const r = report([suite('a.test.ts', ['passed'])]);
    expect(verdict(r, [source('a.test.ts', "test.only('y', () => {});\n")]).problems).toEqual(['a.test.ts:1: test.only (a focused, skipped or inverted test)']);
  });

  test('skipped and todo counts in the report fail the run even when no test is listed', () => {
    const r = report([suite('a.test.ts', ['passed'])], { numPendingTests: 2, numTodoTests: 1 });
    expect(verdict(r, [source('a.test.ts')]).problems).toEqual(['2 skipped and 1 todo tests']);
  });

  test('fewer passed tests than the floor fail the run', () => {
    const r = report([suite('a.test.ts', ['passed', 'passed'])]);
    expect(verdict(r, [source('a.test.ts')], { floor: 3 })).toEqual({
      passed: 2,
      failed: 1,
      problems: ['2 tests passed, fewer than the floor of 3 (.ci/test-floor)'],
    });
    expect(verdict(r, [source('a.test.ts')], { floor: 2 }).failed).toBe(0);
  });

  test('a test file jest did not run fails the run', () => {
    const r = report([suite('a.test.ts', ['passed'])]);
    expect(verdict(r, [source('a.test.ts'), source('b/c.test.ts')]).problems).toEqual(['b/c.test.ts: not run by jest']);
  });

  test('a suite that failed to run counts as a failure, with its message', () => {
    const broken = { ...suite('a.test.ts', []), status: 'failed', message: '\u001b[1mCannot find module ./gone.js\u001b[22m\n  at ...' };
    const r = report([broken, suite('b.test.ts', ['passed'])], { success: false });
    expect(verdict(r, [source('a.test.ts'), source('b.test.ts')], { exitCode: 1 })).toEqual({
      passed: 1,
      failed: 1,
      problems: ['a.test.ts: the suite failed to run: Cannot find module ./gone.js'],
    });
  });

  test('no report, or a failing exit without a failed test, fails the run', () => {
    expect(verdict(null, [source('a.test.ts')], { exitCode: 1 })).toEqual({ passed: 0, failed: 1, problems: ['jest wrote no report (exit status 1)'] });
    const r = report([suite('a.test.ts', ['passed'])]);
    expect(verdict(r, [source('a.test.ts')], { exitCode: 1 }).problems).toEqual(['jest exited with status 1 (success: true) though no test failed']);
    expect(verdict({ ...r, wasInterrupted: true }, [source('a.test.ts')]).problems).toEqual(['the run was interrupted']);
  });
});

test('the floor is the first line that is not a comment', () => {
  expect(parseFloor('# why\n# how to raise it\n570\n')).toBe(570);
  expect(() => parseFloor('# only a comment\n')).toThrow('not a whole number');
  expect(() => parseFloor('57o\n')).toThrow('not a whole number');
});
