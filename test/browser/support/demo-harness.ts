// One local runtime, one recording proxy in front of its API and one headless
// Debian Chromium (fresh profile) per test file; a new page per test. The
// sandbox captures an authorized checkout after a second, so "authorized →
// captured" happens within a test.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';
import { captureOutput } from '../../support/log-capture.ts';
import { startApiRecorder, type ApiRecorder } from './api-recorder.ts';

/** Debian's Chromium (apt-get install chromium); require-chromium.js checks it before the suite. */
const chromiumPath = '/usr/bin/chromium';
export const cards = { success: '4242424242424242', decline: '4000000000000002' } as const;
/** Screenshots land here (git-ignored). */
export const artifactsDir = join(process.cwd(), 'test-results', 'browser');

export interface DemoHarness {
  runtime: TestRuntime;
  recorder: ApiRecorder;
  context: BrowserContext;
  /** The demo page's URL, through the recorder. */
  demoUrl: string;
  /** Everything the runtime logged (captured, so the suite's output stays readable). */
  logs(): string;
  close(): Promise<void>;
}

export async function startDemoHarness(): Promise<DemoHarness> {
  const output = captureOutput();
  const runtime = await startTestRuntime({ sandbox: { lifecycle: { captureAfterMs: 1000, releaseAfterMs: null } } });
  const recorder = await startApiRecorder(runtime.apiUrl);
  const profile = mkdtempSync(join(tmpdir(), 'payments-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(artifactsDir, { recursive: true });
  return {
    runtime,
    recorder,
    context,
    demoUrl: `${recorder.url}/demo/`,
    logs: () => output.text(),
    async close() {
      await context.close().catch(() => undefined);
      await recorder.close();
      await runtime.close();
      rmSync(profile, { recursive: true, force: true });
      output.restore();
    },
  };
}

export interface DemoPage {
  page: Page;
  /** Every request the page made, in order. */
  requests: Request[];
  fillCard(number: string): Promise<void>;
  status: Locator;
}

export async function openDemo(harness: DemoHarness): Promise<DemoPage> {
  const page = await harness.context.newPage();
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  await page.goto(harness.demoUrl);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
  return {
    page,
    requests,
    status: page.locator('#payment-status'),
    fillCard: (number) => page.getByLabel('Card number').fill(number),
  };
}

/** Waits (polling, generous deadline) until the locator's text matches. */
export async function untilText(locator: Locator, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.textContent()) ?? '';
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`waited ${timeoutMs} ms for ${pattern}; the text is ${JSON.stringify(text)}`);
}

/** The provider's /v2/checkout/create calls so far (the sandbox's log). */
export async function providerCreates(harness: DemoHarness): Promise<{ unique_id: string; status: number | null }[]> {
  const response = await fetch(`${harness.runtime.dev.sandbox_url}/__sandbox/calls?path=/v2/checkout/create`);
  return ((await response.json()) as { calls: { unique_id: string; status: number | null }[] }).calls;
}

/** The unique_ids of the checkout creations the page sent to the API. */
export function createUniqueIds(harness: DemoHarness, requests: Request[]): string[] {
  return requests
    .filter((r) => r.method() === 'POST' && r.url() === `${harness.recorder.url}/v1/checkouts`)
    .map((r) => (JSON.parse(r.postData() ?? '{}') as { unique_id: string }).unique_id);
}
