import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';

// The report tests open their HTML in headless Chromium: Debian's, never a
// downloaded browser (CI installs it in .ci/run), started without anything
// that reaches the network.

const executablePath = '/usr/bin/chromium';
const args = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A page opened at a URL, with every request it made and every error it threw. */
export interface OpenedPage {
  readonly page: Page;
  readonly requests: readonly string[];
  readonly errors: readonly string[];
}

/**
 * Open `url` in a new headless Chromium, closed after the test. A failure,
 * not a skip, when Chromium is missing: a report that was never rendered is
 * not tested.
 */
export async function openInChromium(t: TestContext, url: string): Promise<OpenedPage> {
  assert.ok(existsSync(executablePath), `${executablePath} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  const browser = await chromium.launch({ executablePath, args });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

/** Whether an element's bounding box (null when it is not rendered) has a size. */
export function hasArea(box: { width: number; height: number } | null): boolean {
  return box !== null && box.width > 0 && box.height > 0;
}
