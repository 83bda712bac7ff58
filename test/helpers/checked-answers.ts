// Every answer an end-to-end test receives from a stack's API is checked against the OpenAPI
// description (openapi-check.ts): fetch is wrapped so that answers from a watched base URL (a stack's
// nginx, watched by startTestStack) are copied and checked, and the test that made the request fails in
// afterEach, naming the method, path, status and schema error. A test calling the API with another
// client hands its answers to checkAnswer itself.
import { afterAll, afterEach } from '@jest/globals';
import { OpenApiCheck, type Answer } from './openapi-check.js';

const watched = new Set<string>();
const pending = new Set<Promise<void>>();
let violations: string[] = [];
let check: OpenApiCheck | undefined;
let installed = false;

/** Checks one answer; what the description does not allow fails the running test. */
export function checkAnswer(answer: Answer): void {
  check ??= new OpenApiCheck();
  violations.push(...check.violations(answer));
}

/** Checks every answer fetch gets from baseUrl from now on; the returned function stops it. */
export function watchAnswers(baseUrl: string): () => void {
  installFetchCheck();
  watched.add(baseUrl);
  return () => void watched.delete(baseUrl);
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

function installFetchCheck(): void {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    const url = urlOf(input);
    const base = [...watched].find((b) => url === b || url.startsWith(`${b}/`) || url.startsWith(`${b}?`));
    if (base !== undefined) {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      // A copy of the body: the test reads the answer as if nothing had looked at it.
      const checked = res
        .clone()
        .text()
        .then(
          (body) => checkAnswer({ method, url: url.slice(base.length) || '/', status: res.status, contentType: res.headers.get('content-type'), body }),
          () => undefined, // the test aborted the request: no answer to check
        );
      pending.add(checked);
      void checked.finally(() => pending.delete(checked));
    }
    return res;
  };
}

/** Throws naming every answer since the last call that the description does not allow. */
export async function assertAnswersDescribed(): Promise<void> {
  await Promise.all(pending);
  const found = violations;
  violations = [];
  if (found.length > 0) throw new Error(`${found.length} answer(s) the OpenAPI description does not allow:\n${found.join('\n')}`);
}

// After each test (its own requests), and after all (those of beforeAll and afterAll hooks).
afterEach(assertAnswersDescribed);
afterAll(assertAnswersDescribed);
