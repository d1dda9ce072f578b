/**
 * A real Chromium for console tests: the browser that the @sparticuz/chromium package ships inside itself, driven by
 * playwright-core, headless and offline (nothing is downloaded). Screenshots go under test-output/console/ so a
 * person can look at what the tests saw.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-output', 'console');

/**
 * The package is ESM-only and finds its binary through import.meta.url, which jest's CommonJS transform cannot
 * give it: a plain Node child asks it for the path (it unpacks the binary once, into /tmp) and its arguments.
 */
function sparticuz(): { executablePath: string; args: string[] } {
  const script =
    "import('@sparticuz/chromium').then(async ({ default: c }) => console.log(JSON.stringify({ executablePath: await c.executablePath(), args: c.args })))";
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { executablePath: string; args: string[] };
}

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, args } = sparticuz();
  return playwright.launch({
    executablePath,
    // Its args are tuned for Lambda; --single-process in them makes a second page crash, so it is dropped.
    args: [...args.filter((a) => a !== '--single-process'), '--disable-background-networking', '--no-first-run'],
    headless: true,
  });
}

/** A fresh page at 1280×800 that fails the test on any uncaught page error. */
export async function newPage(browser: Browser, errors: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Clicks a list page's "New …" button and waits for the form it opens (its heading is the button's name). The form
 * replaces the list only once the click has rendered, and the list's own filters and columns share the form's labels.
 */
export async function openNewForm(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
}
