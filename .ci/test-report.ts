// CI's verdict on a jest run: a green run must be the whole suite, every test run. Jest reports a run
// with `.only`, `.skip` or `.todo` as a success, so this reads its JSON report (pending and todo tests,
// focused suites, suites that did not run, a test count below the floor kept in .ci/test-floor) and
// also the test sources themselves: a focused or skipped test, or `.failing` (which passes when the
// test fails), is refused even where the report cannot show it. Pure: the report, the sources and the
// floor are passed in.
import ts from 'typescript';

/** The part of jest's `--json` report that the verdict reads. */
export interface JestReport {
  success?: boolean;
  wasInterrupted?: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numRuntimeErrorTestSuites?: number;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ title: string; fullName?: string; ancestorTitles?: string[]; status: string }>;
  }>;
}

export interface TestSource {
  /** relative to the repository's root, as `git ls-files` gives it */
  path: string;
  text: string;
}

export interface TestRunInput {
  /** null when jest wrote no report (it crashed, or never started) */
  report: JestReport | null;
  /** jest's exit status */
  exitCode: number;
  /** every *.test.ts of the repository */
  sources: TestSource[];
  /** the least number of passed tests a green run may have */
  floor: number;
  /** the repository's root: the report names files by absolute path */
  root: string;
}

export interface TestRunVerdict {
  passed: number;
  /** failed tests, suites that did not run, and one per problem below */
  failed: number;
  problems: string[];
}

/** How a test is kept from running, or made to pass while failing. */
const MODIFIERS = new Set(['only', 'skip', 'todo', 'failing']);
const TEST_FUNCTIONS = new Set(['it', 'test', 'describe']);
/** jasmine's spellings of `.skip` and `.only`, which jest still honours */
const PREFIXED = new Set(['xit', 'xtest', 'xdescribe', 'fit', 'ftest', 'fdescribe']);

export interface SourceFinding {
  path: string;
  line: number;
  /** as written, e.g. `test.concurrent.only` or `xdescribe` */
  text: string;
}

/**
 * focusedOrSkipped(source): every `it`/`test`/`describe` reached through `.only`, `.skip`, `.todo` or
 * `.failing` (`test.concurrent.only`, `describe.skip.each`, `test['only']` too), and every use of
 * `xit`, `xtest`, `xdescribe`, `fit`, `ftest`, `fdescribe`. Read from the syntax tree, so comments
 * and strings that mention them do not count.
 */
export function focusedOrSkipped(source: TestSource): SourceFinding[] {
  const file = ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: SourceFinding[] = [];
  const add = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    findings.push({ path: source.path, line: line + 1, text: node.getText(file).replace(/\s+/g, '') });
  };
  const visit = (node: ts.Node): void => {
    const member = memberName(node);
    if (member !== null && MODIFIERS.has(member) && rootsAtTestFunction(node)) {
      add(node);
      return; // `test.only.each` once, not also as `test.only`
    }
    if (ts.isIdentifier(node) && PREFIXED.has(node.text) && isReference(node)) add(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}

/** `x.name` or `x['name']`: the name; anything else: null. */
function memberName(node: ts.Node): string | null {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return null;
}

/** Whether a member chain starts at `it`, `test` or `describe` (`test.concurrent.only`). */
function rootsAtTestFunction(node: ts.Node): boolean {
  let target: ts.Node = node;
  while (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) target = target.expression;
  return ts.isIdentifier(target) && TEST_FUNCTIONS.has(target.text);
}

/** An identifier used as a value: not a property name (`obj.fit`), nor a declared name. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  return true;
}

/** Test statuses other than passed and failed: jest did not run the test. */
const NOT_RUN = new Set(['pending', 'skipped', 'todo', 'disabled', 'focused']);

/** testRunVerdict(input): the counts CI adds up and what made the run not green, each problem a line. */
export function testRunVerdict(input: TestRunInput): TestRunVerdict {
  const problems: string[] = [];
  for (const source of input.sources) {
    for (const f of focusedOrSkipped(source)) problems.push(`${f.path}:${f.line}: ${f.text} (a focused, skipped or inverted test)`);
  }
  const { report } = input;
  if (!report) {
    problems.push(`jest wrote no report (exit status ${input.exitCode})`);
    return { passed: 0, failed: problems.length, problems };
  }

  const relative = (name: string) => (name.startsWith(`${input.root}/`) ? name.slice(input.root.length + 1) : name);
  let brokenSuites = 0;
  let notRun = 0;
  for (const suite of report.testResults) {
    // A suite that failed to run (a syntax error, a throwing import, a failing hook) reports no failed test.
    if (suite.status === 'failed' && suite.assertionResults.every((a) => a.status !== 'failed')) {
      brokenSuites += 1;
      problems.push(`${relative(suite.name)}: the suite failed to run${suite.message ? `: ${firstLine(suite.message)}` : ''}`);
    } else if (suite.status !== 'passed' && suite.status !== 'failed') {
      problems.push(`${relative(suite.name)}: suite ${suite.status}`);
    }
    for (const test of suite.assertionResults) {
      if (!NOT_RUN.has(test.status)) continue;
      notRun += 1;
      problems.push(`${relative(suite.name)}: "${test.fullName ?? test.title}" ${test.status}`);
    }
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (skipped > notRun) problems.push(`${report.numPendingTests ?? 0} skipped and ${report.numTodoTests ?? 0} todo tests`);

  const ran = new Set(report.testResults.map((s) => relative(s.name)));
  for (const source of input.sources) {
    if (!ran.has(source.path)) problems.push(`${source.path}: not run by jest`);
  }
  if (report.numPassedTests < input.floor) {
    problems.push(`${report.numPassedTests} tests passed, fewer than the floor of ${input.floor} (.ci/test-floor)`);
  }
  if (report.wasInterrupted) problems.push('the run was interrupted');
  if (report.numFailedTests + brokenSuites === 0 && (report.success === false || input.exitCode !== 0)) {
    problems.push(`jest exited with status ${input.exitCode} (success: ${String(report.success)}) though no test failed`);
  }
  return { passed: report.numPassedTests, failed: report.numFailedTests + problems.length, problems };
}

function firstLine(message: string): string {
  // jest's messages carry ANSI colours
  // eslint-disable-next-line no-control-regex
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split('\n').find((l) => l.trim() !== '') ?? '').trim();
}

/** The floor file: its first line that is not a comment holds the number. */
export function parseFloor(text: string): number {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  const floor = Number(line);
  if (line === undefined || !Number.isInteger(floor) || floor < 0) throw new Error(`the test floor is not a whole number: ${JSON.stringify(line)}`);
  return floor;
}
