// The /dashboard page in a real browser for the end-to-end tests: headless Chromium (Debian's, driven by
// playwright-core), waits on what the page shows (it redraws every 2 s) and on what the API answers.
import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const WAIT = { timeout: 60_000 };

/** A browser page for the file's tests, opened before them and closed after; `page` is set by beforeAll. */
export function useBrowserPage() {
  const handle = {} as { page: Page };
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    handle.page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return handle;
}

/** Waits until the element's text is `text` (or matches it), as the page redraws. */
export async function waitForText(page: Page, selector: string, text: string | RegExp): Promise<void> {
  const [source, flags] = typeof text === 'string' ? [null, ''] : [text.source, text.flags];
  await page.waitForFunction(
    ({ selector, text, source, flags }) => {
      const found = document.querySelector(selector)?.textContent?.trim() ?? '';
      return source === null ? found === text : new RegExp(source, flags).test(found);
    },
    { selector, text: typeof text === 'string' ? text : '', source, flags },
    WAIT,
  );
}

/** Polls GET `url` (with the token, if any) until its JSON answer satisfies `done`; returns that answer. */
export async function waitForAnswer<T>(url: string, done: (answer: T) => boolean, token?: string): Promise<T> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const res = await fetch(url, { headers });
    if (res.status === 200) {
      const answer = (await res.json()) as T;
      if (done(answer)) return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
