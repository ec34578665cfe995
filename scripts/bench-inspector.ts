/**
 * `npm run bench:inspector`: how fast the inspector shows a large capture. Writes a journal of
 * BENCH_DELIVERIES (default 100 000) signed deliveries made from the shipped samples (about 1 in
 * 20 tampered, 1 in 30 a duplicate), then measures, in one run:
 *
 *   open          inspectCaptures() until the server listens: the journal's lines found by offset
 *                 and the first page read (it is, before the URL is printed)
 *   first page    GET /api/deliveries (the last 100 rows, what the page asks first), after open
 *   browser       chromium, BENCH_ROUNDS (default 9) first visits: a fresh `hookctl inspect` each,
 *                 a fresh browser context each; the page's own clock from navigation to the first
 *                 rows in the DOM and on screen, where the time went (its marks, Resource Timing),
 *                 and its main thread's CPU time; medians. BENCH_BASELINE_BIN=<another build's
 *                 bin/hookctl.js> measures that build's page too, the rounds alternating.
 *   scrolling     the list flung upwards a frame at a time: frame intervals, and how long rows
 *                 that came into view blank took to fill after the stop
 *   filter        ✗ failed: first request (parses every summary it has not yet), then again
 *   search        a text search over headers and bodies: first, then again (cached view)
 *   warm          the background pass that reads every summary, and the process's memory after
 *
 * The journal is built once per size and kept in the temp folder (BENCH_KEEP=0 removes it).
 * Needs a build (npm run build) for the page, and Debian's chromium for the browser row.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAllFixtures } from '../src/records/reader.js';
import { decodeBody, encodeBody, newCaptureId, toJournalLine, type DeliveryRecord } from '../src/records/record.js';
import { SAMPLES_DIR } from '../src/records/samples.js';
import { getScheme } from '../src/schemes/registry.js';
import { signRequest } from '../src/schemes/sign-request.js';
import { inspectCaptures } from '../src/inspector/index.js';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 100_000);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CHROMIUM = '/usr/bin/chromium';

async function buildJournal(path: string): Promise<number> {
  const { entries } = await readAllFixtures([SAMPLES_DIR]);
  const samples = entries.filter((entry) => entry.record.scheme && entry.record.scheme !== 'twilio');
  const handle = await open(path, 'w');
  let bytes = 0;
  let batch: string[] = [];
  const start = Date.parse('2026-01-15T10:00:00Z');
  for (let i = 0; i < COUNT; i++) {
    const sample = samples[i % samples.length]!.record;
    const scheme = getScheme(sample.scheme!);
    const body = decodeBody(sample);
    const receivedAt = new Date(start + i * 37);
    const id = i % 30 === 29 ? `evt_bench_${i - 1}` : `evt_bench_${i}`;
    const signed = signRequest(scheme, { body, secret: SECRET, timestamp: Math.floor(receivedAt.getTime() / 1000), id, ...(sample.eventType ? { type: sample.eventType } : {}) });
    const tampered = i % 20 === 7;
    const sent = tampered ? Buffer.concat([body, Buffer.from(' ')]) : body;
    const headers: Record<string, string> = { host: '127.0.0.1:8787', 'content-length': String(sent.length) };
    for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
    const record: DeliveryRecord = {
      format: 'hookctl.delivery.v1',
      id: newCaptureId(receivedAt),
      capturedAt: receivedAt.toISOString(),
      receivedAt: 'http://127.0.0.1:8787/',
      method: 'POST',
      path: `/webhooks/${scheme.name}`,
      headers,
      ...encodeBody(sent),
      scheme: scheme.name,
      eventId: scheme.eventId(headers, sent) ?? id,
      eventType: sample.eventType,
      verified: !tampered,
      reason: tampered ? 'signature_mismatch' : null,
      duplicate: i % 30 === 29,
    };
    const line = `${toJournalLine(record)}\n`;
    bytes += Buffer.byteLength(line);
    batch.push(line);
    if (batch.length === 1000) {
      await handle.write(batch.join(''));
      batch = [];
    }
  }
  await handle.write(batch.join(''));
  await handle.close();
  return bytes;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** What the page's own clock says about one load, ms since navigation started. */
interface PageTiming {
  html: number;
  css: number;
  script: number;
  scriptStart: number;
  apiStart: number;
  apiEnd: number;
  data: number;
  rows: number;
  painted: number;
  /** CPU time of the page's main thread (chromium's ThreadTime), until the rows were on screen: what the load cannot stretch. */
  mainThreadCpu: number;
}

/** `hookctl inspect` over the journal, in its own process as it runs; resolves with the page URL. */
async function spawnInspect(bin: string, journal: string): Promise<{ url: string; stop(): Promise<void> }> {
  const cli = spawn(process.execPath, [bin, 'inspect', journal, '--ui-port', '0', '--no-follow', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((text) => text.includes('"inspecting"'));
      if (line) resolve((JSON.parse(line) as { uiUrl: string }).uiUrl);
    });
    cli.once('exit', (code) => reject(new Error(`${bin} inspect exited with ${code} (run npm run build first)`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      cli.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * The page as a person opens it: the real `hookctl inspect` in its own process, a chromium that
 * is already running, and each round a fresh browser context (nothing cached: a first visit). The
 * timings are the page's own: Resource Timing, its performance marks, and a MutationObserver for
 * the first row in the DOM, then the next animation frame (on screen). With BENCH_BASELINE_BIN
 * (another build's bin/hookctl.js) its page is measured too, the rounds alternating.
 */
async function browserRounds(journal: string): Promise<Array<[string, string]>> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  const builds = [{ name: 'this build', bin: fileURLToPath(new URL('../bin/hookctl.js', import.meta.url)) }];
  if (process.env.BENCH_BASELINE_BIN) builds.push({ name: `baseline (${process.env.BENCH_BASELINE_BIN})`, bin: process.env.BENCH_BASELINE_BIN });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const timings: PageTiming[][] = builds.map(() => []);
  try {
    // A browser that is already running, as a developer's is.
    const idle = await browser.newContext();
    await (await idle.newPage()).goto('about:blank');
    for (let round = 0; round < rounds; round++) {
      for (let b = 0; b < builds.length; b++) {
        // Alternate which build goes first, so neither always follows the other.
        const which = (b + round) % builds.length;
        // A fresh `hookctl inspect` each time, as a person starts it and opens the URL it prints
        // (a running one would be busy reading every summary in the background by now).
        const server = await spawnInspect(builds[which]!.bin, journal);
        try {
          const timing = await firstVisit(browser, server.url);
          timings[which]!.push(timing);
          if (process.env.BENCH_VERBOSE) process.stderr.write(`${builds[which]!.name}: ${JSON.stringify(timing, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value) : value))}\n`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await browser.close();
  }
  const result: Array<[string, string]> = [];
  // Scrolling: one page, this build, flung through the list.
  const server = await spawnInspect(builds[0]!.bin, journal);
  const { chromium: launcher } = await import('playwright-core');
  const scrollBrowser = await launcher.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const scroll = await scrolling(scrollBrowser, server.url);
    result.push(
      [`scrolling, this build: ${scroll.frames} frames flinging ${scroll.rows.toLocaleString('en-US')} rows up the list (${SCROLL_PX_PER_FRAME} px a frame), then stopping:`, ''],
      ['  frame interval median / 95th percentile / longest', `${ms(scroll.median)} / ${ms(scroll.p95)} / ${ms(scroll.longest)}`],
      ['  frames over 50 ms', String(scroll.slow)],
      ['  rows on screen still blank at the stop / every row filled', `${scroll.blankAtStop} / ${ms(scroll.filledMs)} after`],
    );
  } finally {
    await scrollBrowser.close();
    await server.stop();
  }
  builds.forEach((build, b) => {
    const runs = timings[b]!;
    const m = (key: keyof PageTiming) => ms(median(runs.map((timing) => timing[key])));
    const all = (key: keyof PageTiming) => runs.map((timing) => timing[key].toFixed(0)).join(' ');
    result.push(
      [`browser, ${build.name}: ${rounds} first visits (fresh context each), medians in the page's clock from navigation start:`, ''],
      ['  HTML answered', m('html')],
      ['  stylesheet / script loaded (inline ones: with the HTML)', `${m('css')} / ${m('script')}`],
      ['  app script running', m('scriptStart')],
      ['  first page asked / answered', `${m('apiStart')} / ${m('apiEnd')}`],
      ['  first page parsed', m('data')],
      ['  first rows in the DOM', `${m('rows')}  (rounds: ${all('rows')})`],
      ['  first rows on screen (next frame)', `${m('painted')}  (rounds: ${all('painted')})`],
      ['  the page\'s main thread: CPU time until then', `${m('mainThreadCpu')}  (rounds: ${all('mainThreadCpu')})`],
    );
  });
  return result;
}

const SCROLL_PX_PER_FRAME = 400;
const SCROLL_FRAMES = 180;

/**
 * A fling through the list: every animation frame the list scrolls up SCROLL_PX_PER_FRAME (fast
 * wheel scrolling), for SCROLL_FRAMES frames; the page's frame intervals say whether it kept up,
 * and after the stop, how long the rows on screen took to fill (blank rows are asked for as they
 * come into view).
 */
async function scrolling(browser: import('playwright-core').Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.row[data-seq]').first().waitFor();
    const value = (await page.evaluate(`new Promise((resolve) => {
      const list = document.querySelector('.list-scroll');
      const intervals = [];
      let last = 0;
      let frames = 0;
      const startTop = list.scrollTop;
      const blank = () => [...document.querySelectorAll('.row.placeholder')].filter((row) => {
        const box = row.getBoundingClientRect();
        const view = list.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      }).length;
      const step = (now) => {
        intervals.push(now - last);
        last = now;
        list.scrollTop -= ${SCROLL_PX_PER_FRAME};
        if (++frames < ${SCROLL_FRAMES}) return requestAnimationFrame(step);
        const stoppedAt = performance.now();
        const blankAtStop = blank();
        const rows = Math.round((startTop - list.scrollTop) / 26);
        const wait = () => (blank() === 0 ? resolve({ intervals, blankAtStop, rows, filledMs: performance.now() - stoppedAt }) : requestAnimationFrame(wait));
        requestAnimationFrame(wait);
      };
      requestAnimationFrame((now) => {
        last = now;
        requestAnimationFrame(step);
      });
    })`)) as { intervals: number[]; blankAtStop: number; filledMs: number; rows: number };
    const sorted = [...value.intervals].sort((a, b) => a - b);
    return {
      frames: sorted.length,
      rows: value.rows,
      median: median(sorted),
      p95: sorted[Math.floor(sorted.length * 0.95)]!,
      longest: sorted[sorted.length - 1]!,
      slow: sorted.filter((interval) => interval > 50).length,
      blankAtStop: value.blankAtStop,
      filledMs: value.filledMs,
    };
  } finally {
    await context.close();
  }
}

async function firstVisit(browser: import('playwright-core').Browser, url: string): Promise<PageTiming> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    // (Page code as text: it runs in the browser, not under this script's Node types.)
    await context.addInitScript({
      content: `new MutationObserver((changes, observer) => {
        if (!document.querySelector('.row[data-seq]')) return;
        observer.disconnect();
        window.firstRows = performance.now();
        requestAnimationFrame(() => setTimeout(() => (window.firstPaint = performance.now())));
      }).observe(document, { childList: true, subtree: true });`,
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { firstPaint?: number }).firstPaint !== undefined);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const mainThreadCpu = (metrics.find((metric) => metric.name === 'ThreadTime')?.value ?? Number.NaN) * 1000;
    const timing = (await page.evaluate(`(() => {
      const entries = performance.getEntriesByType('resource');
      const find = (part) => entries.find((entry) => entry.name.includes(part));
      const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
      const api = find('/api/deliveries');
      const html = performance.getEntriesByType('navigation')[0].responseEnd;
      return {
        html,
        css: find('.css')?.responseEnd ?? html,
        script: find('.js')?.responseEnd ?? html,
        scriptStart: mark('hookctl:start'),
        apiStart: api.startTime,
        apiEnd: api.responseEnd,
        data: mark('hookctl:data'),
        rows: window.firstRows,
        painted: window.firstPaint,
      };
    })()`)) as Omit<PageTiming, 'mainThreadCpu'>;
    return { ...timing, mainThreadCpu };
  } finally {
    await context.close();
  }
}

async function timed<T>(what: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await what();
  return [value, performance.now() - started];
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  const dir = join(tmpdir(), `hookctl-bench-inspector-${COUNT}`);
  mkdirSync(dir, { recursive: true });
  const journal = join(dir, 'deliveries.ndjson');
  if (!existsSync(journal)) {
    process.stderr.write(`writing ${COUNT} deliveries to ${journal}…\n`);
    const bytes = await buildJournal(journal);
    process.stderr.write(`  ${(bytes / 1024 / 1024).toFixed(1)} MiB\n`);
  }
  const startLoad = loadavg();
  const rows: Array<[string, string]> = [];
  const [inspector, openMs] = await timed(() => inspectCaptures([journal], { port: 0, follow: false, settings: { secrets: [SECRET], scheme: 'auto', schemeOptions: {}, toleranceSeconds: 300 } }));
  rows.push(['open (index the journal by offset, listen)', ms(openMs)]);
  const api = async (path: string) => {
    const response = await fetch(`${inspector.origin}${path}`, { headers: { 'x-hookctl-token': inspector.token } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return (await response.json()) as { total: number; rows: unknown[] };
  };
  const unfiltered = { state: 'all', scheme: null, type: null, path: null, q: null } as const;
  const [page, pageMs] = await timed(() => inspector.store.page(unfiltered, 'tail', 100));
  rows.push([`first page: the last 100 of ${page.total} rows, read and parsed`, ms(pageMs)]);
  rows.push(['open + first page', ms(openMs + pageMs)]);
  // The bench's own HTTP client loads on first use: warm it on another URL first.
  await api('/api/info');
  const [, apiMs] = await timed(() => api('/api/deliveries?offset=0&limit=100'));
  rows.push(['another page over HTTP (GET /api/deliveries, first 100, not read before)', ms(apiMs)]);

  if (existsSync(CHROMIUM)) rows.push(...(await browserRounds(journal)));
  else rows.push(['browser', `skipped (${CHROMIUM} missing)`]);

  for (const [label, path] of [
    ['filter ✗ failed', '/api/deliveries?state=failed&offset=tail&limit=100'],
    ['search "evt_bench_4242"', '/api/deliveries?q=evt_bench_4242&offset=tail&limit=100'],
  ] as const) {
    const [first, firstMs] = await timed(() => api(path));
    const [, againMs] = await timed(() => api(path));
    rows.push([`${label}: ${first.total} matches, first request`, ms(firstMs)]);
    rows.push([`${label}: again`, ms(againMs)]);
  }
  const [, warmMs] = await timed(() => inspector.store.warm());
  rows.push(['every summary read (background pass, what is left of it)', ms(warmMs)]);
  const [, searchMs] = await timed(() => api('/api/deliveries?q=payment_intent&offset=tail&limit=100'));
  rows.push(['search "payment_intent" over all bodies', ms(searchMs)]);
  const memory = process.memoryUsage();
  rows.push(['memory after: rss / heap used', `${(memory.rss / 1024 / 1024).toFixed(0)} MiB / ${(memory.heapUsed / 1024 / 1024).toFixed(0)} MiB`]);
  await inspector.close();

  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`hookctl inspector, ${COUNT} deliveries (${process.version}, ${new Date().toISOString()}, load average ${startLoad.map((n) => n.toFixed(2)).join(' ')} at the start, ${loadavg().map((n) => n.toFixed(2)).join(' ')} at the end)\n`);
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
  if (process.env.BENCH_KEEP === '0') rmSync(dir, { recursive: true, force: true });
}

await main();
