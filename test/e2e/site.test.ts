import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localExportDeps } from '../../local/exports.ts';
import { seedDemo } from '../../local/demo.ts';
import { SITE_DIR, sitePath, startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import type {
  ExportsList,
  ItemsPage,
  PublicDetermination,
  Similar,
  statsSchema,
} from '../../shared/api/schemas.ts';
import { s3ExportBucket } from '../../shared/export/bucket.ts';
import { runExport } from '../../shared/export/run.ts';
import { createLogger } from '../../shared/logger.ts';
import { rateScale, SMALL_GROUP } from '../../web/src/lib/charts.ts';
import { es } from '../../web/src/lib/i18n/es.ts';
import type { z } from 'zod';

// The built site (web/build) in headless Chromium against the local stack holding synthetic
// letters, served by the same local server `npm start` runs: every page loads its data, shows
// the API's numbers, passes axe-core with no serious or critical violation, works with the
// keyboard and fits a 360 px screen. Screenshots of every page go to test/e2e/screenshots/.

type Stats = z.infer<typeof statsSchema>;
interface AxeResult {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
  passes: number;
}

const CHROMIUM = '/usr/bin/chromium';
const LETTERS = 300;
const SHOTS = resolve(import.meta.dirname, 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PAGES = [
  { path: '/', name: 'search', ready: '.results li' },
  { path: '/determination', name: 'determination', ready: '.issue' },
  { path: '/statistics', name: 'statistics', ready: '[data-testid="total-items"]' },
  { path: '/check', name: 'check', ready: '[data-testid="basis-rate"]' },
  { path: '/exports', name: 'exports', ready: 'table a[download]' },
  { path: '/about', name: 'about', ready: 'h1' },
  { path: '/determination/CM16-0213037', name: 'not-found', ready: 'h1' },
] as const;

// expect.poll gives up after 1 s by default: too short for a page load and an API call on a
// busy 2-core machine, where the search test failed now and then for that alone. 30 s, as
// Playwright's own waits (waitForSelector, click) allow: CI runs this file beside DynamoDB Local
// JVMs and the other test files on two cores.
vi.setConfig({ expect: { poll: { timeout: 30_000 } } });
/** For tests that load many pages one after another (vitest's default here is 60 s). */
const MANY_PAGES = 180_000;

let stack: LocalStack;
let server: LocalServer;
let browser: Browser;
/** A case with several items, for the determination page. */
let sampleCase: string;
const checkRequest = 'Norco 10/325mg #90';

async function api<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, server.url));
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The page's query string for a page of PAGES (the determination and check pages need one). */
/** A rate as the site shows it: "8.5%", or "n/a" for none. */
function pct(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function url(path: string): string {
  if (path === '/determination') return `/determination?case=${sampleCase}`;
  if (path === '/check') return `/check?request=${encodeURIComponent(checkRequest)}`;
  return path;
}

/** The site's languages: English at the site's paths, Spanish under /es. */
const LANGUAGES = [
  { lang: 'en', prefix: '' },
  { lang: 'es', prefix: '/es' },
] as const;

/** A path of the site in a language: "/" → "/es", "/check?request=x" → "/es/check?request=x". */
function inLanguage(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === '/' || path.startsWith('/?') ? `${prefix}${path.slice(1)}` : `${prefix}${path}`;
}

async function open(path: string, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(new URL(path, server.url).href);
  // The load event does not wait for SvelteKit: the page's modules are imported by an inline
  // script and hydrate later. Before that, a field typed into is emptied again when hydration
  // runs the page's effects (the check page sets its request from the URL), and a click does
  // nothing or submits the form natively. SvelteKit starts its router right after hydrating,
  // and the first thing it does is take over scroll restoration.
  await page.waitForFunction(`history.scrollRestoration === 'manual'`);
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/**
 * Waits until a page of PAGES has loaded everything, not only its `ready` part: the statistics
 * page loads each figure separately and the search page its filter choices after (or before)
 * the results, so axe-core and the width check would otherwise see a page still changing.
 */
async function settled(page: Page, p: (typeof PAGES)[number]): Promise<void> {
  await page.waitForSelector(p.ready);
  if (p.name === 'statistics') {
    // The six figures: category, drug class, month, the trend by year, citation, specialty.
    await page.waitForFunction(`document.querySelectorAll('section.figure .toolbar').length === 6`);
  }
  if (p.name === 'search') {
    await page.waitForFunction(
      `['#f-subcategory option', '#f-region option', '#f-specialty option']` +
        `.every((s) => document.querySelectorAll(s).length > 1) &&` +
        ` document.querySelectorAll('#f-drug-list option').length > 0`,
    );
  }
}

function errorsOf(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  }
  if (!existsSync(join(SITE_DIR, 'index.html'))) {
    throw new Error(`${SITE_DIR} is missing: build the site first with npm run build:web`);
  }
  await mkdir(SHOTS, { recursive: true });
  const logger = createLogger({ level: 'silent' });
  stack = await startLocalStack({ dataDir: null, logger });
  await seedDemo(stack, LETTERS, new Writable({ write: (_c, _e, done) => done() }));
  const exported = await runExport(localExportDeps(stack, logger));
  expect(exported.status).toBe('complete');
  server = await startLocalServer(stack, {
    port: 0,
    logger,
    exports: s3ExportBucket(stack.s3, stack.exportsBucket),
  });
  const recent = await api<{ determinations: { caseNumber: string; items: unknown[] }[] }>(
    '/api/determinations?limit=50',
  );
  sampleCase = (recent.determinations.find((d) => d.items.length > 1) ?? recent.determinations[0]!)
    .caseNumber;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.stop();
});

describe('the site in Chromium', () => {
  it(
    'searches with keywords and filters, pages through results and opens a determination',
    async () => {
      const all = await api<ItemsPage>('/api/items?limit=20');
      const page = await open('/');
      await page.waitForSelector('.results li');
      await expect
        .poll(() => page.locator('p.count').innerText())
        .toBe(`Showing 1–20 of ${all.total!.toLocaleString('en-US')} items.`);

      // Next and Previous follow the API's cursors: the pages hold the API's pages, not only
      // their numbers.
      const requests = () => page.locator('.results li .request').allInnerTexts();
      const second = await api<ItemsPage>(`/api/items?limit=20&cursor=${all.cursor!}`);
      await expect.poll(requests).toEqual(all.items.map((i) => i.request));
      await page.getByRole('button', { name: 'Next →' }).click();
      await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Showing 21–40 of /);
      await expect.poll(requests).toEqual(second.items.map((i) => i.request));
      // Page 2 is in the URL: shared, it opens on the same page.
      await page.waitForURL((u) => u.searchParams.get('page') === '2');
      const pageTwo = new URL(page.url());
      expect(pageTwo.searchParams.get('first')).toBe('21');
      expect(pageTwo.searchParams.get('cursor')).toBeTruthy();
      const other = await open(pageTwo.pathname + pageTwo.search);
      await expect.poll(() => other.locator('p.count').innerText()).toMatch(/^Showing 21–40 of /);
      await expect
        .poll(() => other.locator('.results li .request').allInnerTexts())
        .toEqual(second.items.map((i) => i.request));
      expect(await other.locator('.pager span').innerText()).toBe('Page 2');
      await other.close();
      await page.getByRole('button', { name: '← Previous' }).click();
      await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Showing 1–20 of /);
      await expect.poll(requests).toEqual(all.items.map((i) => i.request));
      expect(new URL(page.url()).searchParams.get('page')).toBeNull();
      // The browser's Back and Forward move between the pages too.
      await page.goBack();
      await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Showing 21–40 of /);
      await page.goBack();
      await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Showing 1–20 of /);

      // A keyword from a real request, with a decision filter.
      const target = all.items.find((i) => /[a-z]{5,}/i.test(i.request))!;
      const word = /[a-z]{5,}/i.exec(target.request)![0];
      const expected = await api<ItemsPage>(
        `/api/items?q=${encodeURIComponent(word)}&decision=${target.decision}&limit=20`,
      );
      await page.getByLabel('Keywords in the request').fill(word);
      await page.getByLabel('Decision', { exact: true }).selectOption(target.decision);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL((u) => u.searchParams.get('q') === word);
      expect(new URL(page.url()).searchParams.get('decision')).toBe(target.decision);
      await expect
        .poll(() => page.locator('.results li .request').allInnerTexts())
        .toEqual(expected.items.map((i) => i.request));
      const badges = await page.locator('.results li .badge').allInnerTexts();
      expect(new Set(badges)).toEqual(
        new Set([target.decision === 'upheld' ? 'Upheld' : 'Overturned']),
      );

      // The URL holds the query: opened afresh, it shows the same results.
      const shared = await open(page.url());
      await expect
        .poll(() => shared.locator('.results li .request').allInnerTexts())
        .toEqual(expected.items.map((i) => i.request));
      expect(await shared.getByLabel('Keywords in the request').inputValue()).toBe(word);
      await shared.close();

      // Open the first result.
      const first = expected.items[0]!;
      await page.locator('.results li a').first().click();
      await page.waitForURL((u) => u.pathname === '/determination');
      const record = await api<PublicDetermination>(`/api/determinations/${first.caseNumber}`);
      await expect.poll(() => page.locator('h1').innerText()).toBe(`Case ${first.caseNumber}`);
      // The heading comes from the URL at once; the items arrive with the API's answer.
      await expect
        .poll(() => page.locator('.issue h3').allInnerTexts())
        .toEqual(record.issues.map((i) => `Item ${i.ordinal}: ${i.request}`));
      // The injury by its year only (Safe Harbor), as the API gives it.
      const injury = page
        .locator('dt', { hasText: 'Year of injury' })
        .locator('xpath=following-sibling::dd[1]');
      await expect
        .poll(() => injury.innerText())
        .toBe(String(record.dates.injuryYear ?? 'not stated'));
      expect(await page.locator('dt', { hasText: 'Date of injury' }).count()).toBe(0);
      const decisions = await page.locator('.issue .head .badge').allInnerTexts();
      expect(decisions).toEqual(
        record.issues.map((i) => (i.decision === 'upheld' ? 'Upheld' : 'Overturned')),
      );
      // Demo letters are synthetic, and the page says so.
      expect(record.flags).toContain('synthetic');
      await expect.poll(() => page.getByRole('note').innerText()).toMatch(/^Synthetic letter\./);
      // Similar past decisions for an item.
      await page.getByRole('button', { name: 'Show similar past decisions' }).first().click();
      await page.locator('.issue .results li').first().waitFor();
      expect(errorsOf(page)).toEqual([]);
      await page.close();
    },
    MANY_PAGES,
  );

  it('numbers short pages by what came before and never calls an unfinished search empty', async () => {
    // The API may end a page early, even with no item, and send a cursor (it caps the reads of
    // one request). Its answers are replaced here with such pages.
    const template = (await api<ItemsPage>('/api/items?limit=1')).items[0]!;
    const answers: Record<string, ItemsPage> = {
      first: { items: [], cursor: 'c2', total: null },
      c2: {
        items: [1, 2, 3].map((n) => ({ ...template, ordinal: n, request: `Short page item ${n}` })),
        cursor: 'c3',
        total: null,
      },
      c3: {
        items: [4, 5].map((n) => ({ ...template, ordinal: n, request: `Short page item ${n}` })),
        cursor: null,
        total: null,
      },
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route(
      (u) => u.pathname === '/api/items',
      (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify(
            answers[new URL(route.request().url()).searchParams.get('cursor') ?? 'first'],
          ),
        }),
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('/?q=rare', server.url).href);
    const status = () => page.locator('p.count').innerText();
    await expect.poll(status).toMatch(/searches further/);
    expect(await status()).not.toMatch(/No decisions match/);
    expect(await page.locator('.empty').count()).toBe(0);
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(status).toBe('Showing 1–3 (more on the next page).');
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(status).toBe('Showing 4–5.');
    await page.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(status).toBe('Showing 1–3 (more on the next page).');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers the search as a feed to subscribe to, in the results and the page head', async () => {
    const page = await open('/?decision=overturned&category=Pharmaceuticals');
    const link = page.getByRole('link', { name: 'Subscribe' });
    await expect
      .poll(() => link.getAttribute('href'))
      .toBe('/api/feed.atom?category=Pharmaceuticals&decision=overturned');
    const alternate = page.locator('head link[rel="alternate"][type="application/atom+xml"]');
    expect(await alternate.getAttribute('href')).toBe(await link.getAttribute('href'));
    const feed = await fetch(new URL((await link.getAttribute('href'))!, server.url));
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(await feed.text()).toMatch(/<entry>[\s\S]*\(overturned\)<\/title>/);
    // Without filters the results still offer the feed of every decision; the head has no
    // alternate, which is for a filtered search.
    await page.goto(new URL('/', server.url).href);
    await expect.poll(() => link.getAttribute('href')).toBe('/api/feed.atom');
    expect(await alternate.count()).toBe(0);
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('answers an unknown address with a page that says so and offers ways on', async () => {
    const res = await raw('/determination/CM16-0213037');
    expect(res.status).toBe(404);
    const page = await open('/determination/CM16-0213037');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Page not found');
    await expect
      .poll(() => page.locator('.lead code').innerText())
      .toBe('/determination/CM16-0213037');
    expect(
      await page
        .getByRole('link', { name: 'Open the determination CM16-0213037' })
        .getAttribute('href'),
    ).toBe('/determination?case=CM16-0213037');
    expect(await page.title()).toBe('Page not found · IMR Atlas');
    await page.getByLabel('Search the decisions instead').fill('lumbar');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('q') === 'lumbar');
    expect(errorsOf(page).filter((e) => !/404/.test(e))).toEqual([]);
    await page.close();
  });

  it('puts the results right after the keywords on a phone, filters folded', async () => {
    const page = await open('/', 360);
    await page.waitForSelector('.results li');
    expect(await page.locator('details.filters').getAttribute('open')).toBeNull();
    const top = await page
      .locator('#results-heading')
      .evaluate((h) => h.getBoundingClientRect().top);
    expect(top).toBeLessThan(700);
    await page.locator('summary').click();
    await expect.poll(() => page.getByLabel('Category', { exact: true }).isVisible()).toBe(true);
    await page.close();
  });

  it('says plainly when a case is unknown or a filter is refused', async () => {
    const page = await open('/determination?case=CM99-0000001');
    await expect
      .poll(() => page.getByRole('alert').innerText())
      .toMatch(/No determination with case number CM99-0000001/);
    await page.close();
    const bad = await open('/?from=2024-13');
    await expect.poll(() => bad.getByRole('alert').innerText()).toMatch(/from has no month 13/);
    await bad.close();
  });

  it('shows the statistics the API returns', async () => {
    const byCategory = await api<Stats>('/api/stats?by=category');
    const byMonth = await api<Stats>('/api/stats?by=month');
    const page = await open('/statistics');
    await page.waitForSelector('[data-testid="total-items"]');
    const n = (x: number): string => x.toLocaleString('en-US');
    expect(await page.getByTestId('total-items').innerText()).toBe(n(byCategory.totals.total));
    expect(await page.getByTestId('total-overturned').innerText()).toBe(
      n(byCategory.totals.overturned),
    );
    expect(byCategory.totals.total).toBeGreaterThan(LETTERS);

    const figure = page.locator('section[aria-labelledby="by-category-title"]');
    await figure.getByRole('button', { name: 'Table' }).click();
    // The click only asks Svelte to switch views: read the table once it is there.
    const rows = () =>
      figure
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim())),
        );
    await expect
      .poll(rows)
      .toEqual(
        byCategory.groups.map((g) => [
          g.label,
          n(g.upheld),
          n(g.overturned),
          n(g.total),
          pct(g.overturnRate),
          pct(g.overturnRateLow),
          pct(g.overturnRateHigh),
          g.total < SMALL_GROUP ? 'small group (under 30 decisions)' : '',
        ]),
      );
    // A rate axis ends at a round figure just above the widest interval, not at 100%.
    await figure.getByRole('button', { name: 'Chart' }).click();
    const bars = figure.locator('rect.fill');
    await expect.poll(() => bars.count()).toBe(byCategory.groups.length);
    const widths = await bars.evaluateAll((rects) =>
      rects.map((r) => Number(r.getAttribute('width'))),
    );
    expect(widths).toHaveLength(byCategory.groups.length);
    const { top } = rateScale(Math.max(...byCategory.groups.map((g) => g.overturnRateHigh ?? 0)));
    expect(top).toBeLessThan(1);
    widths.forEach((w, i) =>
      expect(w).toBeCloseTo(((byCategory.groups[i]!.overturnRate ?? 0) / top) * 100, 6),
    );
    expect(await figure.locator('line.whisker').count()).toBe(3 * byCategory.groups.length);
    await figure.getByRole('button', { name: 'Table' }).click();
    // The CSV download holds the same rows.
    const href = await figure.getByRole('link', { name: /Download CSV/ }).getAttribute('href');
    const csv = decodeURIComponent(href!.slice(href!.indexOf(',') + 1));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Category,Upheld,Overturned,Total,Overturn rate,"95% interval, low","95% interval, high",Note',
    );
    expect(lines).toHaveLength(byCategory.groups.length + 1);
    const g0 = byCategory.groups[0]!;
    expect(lines[1]).toBe(
      `${g0.label.includes(',') || g0.label.includes('"') ? `"${g0.label.replace(/"/g, '""')}"` : g0.label},${g0.upheld},${g0.overturned},${g0.total},${g0.overturnRate ?? ''},${g0.overturnRateLow ?? ''},${g0.overturnRateHigh ?? ''},${g0.total < SMALL_GROUP ? 'small group (under 30 decisions)' : ''}`,
    );

    const months = page.locator('section[aria-labelledby="by-month-title"]');
    await months.getByRole('button', { name: 'Table' }).click();
    await expect.poll(() => months.locator('tbody tr').count()).toBe(byMonth.groups.length);
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('draws the overturn rate by year for a chosen drug, kept in the URL', async () => {
    const drug = (await api<Stats>('/api/stats?by=drug')).groups[0]!;
    const expected = await api<Stats>(`/api/stats?by=year&drug=${encodeURIComponent(drug.key)}`);
    const page = await open('/statistics');
    await page.waitForSelector('[data-testid="total-items"]');
    await page.getByLabel('Show', { exact: true }).selectOption('drug');
    await expect
      .poll(() => page.getByLabel('Drug', { exact: true }).locator('option').count())
      .toBeGreaterThan(1);
    await page.getByLabel('Drug', { exact: true }).selectOption(drug.key);
    await expect.poll(() => new URL(page.url()).searchParams.get('value')).toBe(drug.key);
    expect(new URL(page.url()).searchParams.get('trend')).toBe('drug');
    const figure = page.locator('section[aria-labelledby="trend-title"]');
    await expect.poll(() => figure.locator('circle.point').count()).toBe(expected.groups.length);
    expect(await figure.getByRole('heading').innerText()).toContain(drug.key);
    await figure.getByRole('button', { name: 'Table' }).click();
    await expect
      .poll(() => figure.locator('tbody tr th').allInnerTexts())
      .toEqual(expected.groups.map((g) => g.key));
    const rates = await figure.locator('tbody tr td:nth-child(5)').allInnerTexts();
    expect(rates).toEqual(expected.groups.map((g) => pct(g.overturnRate)));
    // The shared URL opens the same trend.
    const again = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    await expect
      .poll(() => again.locator('section[aria-labelledby="trend-title"] circle.point').count())
      .toBe(expected.groups.length);
    expect(errorsOf(page)).toEqual([]);
    await again.close();
    await page.close();
  });

  it('checks a planned request and shows the rate with the number it rests on', async () => {
    const expected = await api<Similar>(
      `/api/stats/similar?request=${encodeURIComponent(checkRequest)}`,
    );
    const page = await open('/check');
    await page.getByLabel('Planned request').fill(checkRequest);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.waitForSelector('[data-testid="basis-rate"]');
    expect(new URL(page.url()).searchParams.get('request')).toBe(checkRequest);
    const { basis } = expected;
    expect(await page.getByTestId('basis-text').innerText()).toContain(
      `${basis.overturned.toLocaleString('en-US')} of ${basis.total.toLocaleString('en-US')}`,
    );
    expect(await page.getByTestId('basis-rate').innerText()).toBe(pct(basis.overturnRate));
    expect(await page.getByTestId('basis-interval').innerText()).toContain(
      `95% interval ${pct(basis.overturnRateLow).slice(0, -1)}–${pct(basis.overturnRateHigh)}`,
    );
    for (const decision of ['overturned', 'upheld'] as const) {
      expect(
        await page.getByTestId(`cited-${decision}`).locator('.g-label').allInnerTexts(),
      ).toEqual(expected.citations[decision].guidelines.map((g) => g.label));
    }
    expect(expected.similar.length).toBeGreaterThan(0);
    expect(await page.locator('.results li .request').allInnerTexts()).toEqual(
      expected.similar.map((s) => s.request),
    );
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('lists the export snapshot with working download links', async () => {
    const list = await api<ExportsList>('/api/exports');
    const snapshot = list.snapshots[0]!;
    const page = await open('/exports');
    await page.waitForSelector('table a[download]');
    const hrefs = await page
      .locator('table a[download]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(new Set(hrefs)).toEqual(new Set(snapshot.files.map((f) => f.url)));
    const csv = snapshot.files.find((f) => f.format === 'csv')!;
    const res = await fetch(new URL(csv.url, server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    await page.close();
  });

  it(
    'has no serious or critical axe-core violation on any page',
    async () => {
      const found: string[] = [];
      for (const { lang, prefix } of LANGUAGES) {
        for (const p of PAGES) {
          const path = inLanguage(prefix, url(p.path));
          const page = await open(path);
          await settled(page, p);
          // The page really is in the language axe checks it in (axe's html-has-lang and
          // valid-lang rules read this attribute).
          expect(await page.evaluate<string>('document.documentElement.lang'), path).toBe(lang);
          await page.addScriptTag({ path: AXE });
          // Page code as text: this file is type-checked for Node, without the DOM's types.
          const { violations, passes } = await page.evaluate<AxeResult>(
            `axe.run().then((r) => ({ violations: r.violations, passes: r.passes.length }))`,
          );
          // axe really ran: it found rules that pass.
          expect(passes, path).toBeGreaterThan(10);
          for (const v of violations) {
            if (v.impact === 'serious' || v.impact === 'critical') {
              found.push(
                `${path}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
              );
            }
          }
          await page.close();
        }
      }
      expect(found).toEqual([]);
    },
    MANY_PAGES,
  );

  it('works with the keyboard: skip link first, visible focus, then the navigation', async () => {
    const page = await open('/');
    await page.waitForSelector('.results li');
    await page.keyboard.press('Tab');
    const skip = await page.evaluate<{ text: string; outline: string; top: number }>(
      `(() => {
        const el = document.activeElement;
        return {
          text: el.textContent,
          outline: getComputedStyle(el).outlineStyle,
          top: el.getBoundingClientRect().top,
        };
      })()`,
    );
    expect(skip.text).toBe('Skip to main content');
    expect(skip.outline).not.toBe('none');
    expect(skip.top).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // After skipping, focus continues in the main content: the keyword field comes first.
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('f-q');

    const order: string[] = [];
    const again = await open('/about');
    for (let i = 0; i < 7; i++) {
      await again.keyboard.press('Tab');
      order.push(await again.evaluate<string>('document.activeElement.textContent.trim()'));
    }
    expect(order).toEqual([
      'Skip to main content',
      'IMR Atlas',
      'Search',
      'Statistics',
      'Check a request',
      'Exports',
      'About',
    ]);
    // The keyword field submits with Enter.
    await page.getByLabel('Keywords in the request').fill('therapy');
    await page.getByLabel('Keywords in the request').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'therapy');
    await page.close();
    await again.close();
  });

  it(
    'fits a 360 px screen on every page and writes screenshots of every page',
    async () => {
      const overflowing: string[] = [];
      const shot = (lang: string, name: string, width: number): string =>
        join(
          SHOTS,
          `${name}${lang === 'en' ? '' : `-${lang}`}-${width === 360 ? '360' : 'desktop'}.png`,
        );
      for (const { lang, prefix } of LANGUAGES) {
        for (const p of PAGES) {
          for (const width of [1280, 360]) {
            const path = inLanguage(prefix, url(p.path));
            const page = await open(path, width);
            await settled(page, p);
            const overflow = await page.evaluate<number>(
              'document.documentElement.scrollWidth - document.documentElement.clientWidth',
            );
            if (overflow > 0) overflowing.push(`${path} at ${width} px: ${overflow} px too wide`);
            await page.screenshot({ path: shot(lang, p.name, width), fullPage: true });
            await page.close();
          }
        }
      }
      expect(overflowing).toEqual([]);
      for (const { lang } of LANGUAGES) {
        for (const p of PAGES) {
          expect(existsSync(shot(lang, p.name, 360))).toBe(true);
          expect(existsSync(shot(lang, p.name, 1280))).toBe(true);
        }
      }
    },
    MANY_PAGES,
  );
});

describe('the site in Spanish', () => {
  it('prerenders every page twice: English with lang="en", Spanish under /es with lang="es"', async () => {
    const titles = {
      '/': ['Search IMR decisions', 'Buscar decisiones de IMR'],
      '/statistics': ['Statistics', 'Estadísticas'],
      '/determination': ['Determination', 'Determinación'],
      '/check': ['Check a request', 'Consultar una solicitud'],
      '/exports': ['Exports', 'Descargas'],
      '/about': ['About the data', 'Acerca de los datos'],
    } as const;
    for (const [path, [english, spanish]] of Object.entries(titles)) {
      const en = await fetch(new URL(path, server.url));
      const enHtml = await en.text();
      expect(en.status, path).toBe(200);
      expect(enHtml, path).toMatch(/^<!doctype html>\s*<html lang="en">/);
      expect(enHtml, path).toContain(`<title>${english}`);
      const esPath = inLanguage('/es', path);
      const es = await fetch(new URL(esPath, server.url));
      const esHtml = await es.text();
      expect(es.status, esPath).toBe(200);
      expect(esHtml, esPath).toMatch(/^<!doctype html>\s*<html lang="es">/);
      expect(esHtml, esPath).toContain(`<title>${spanish}`);
    }
    // The designed not-found page in Spanish, for unknown paths under /es/.
    const missing = await raw('/es/determinacion/CM16-0213037');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatch(/<html lang="es">/);
    expect(missing.body).toContain('<title>Página no encontrada');
    expect((await raw('/nope')).body).toMatch(/<html lang="en">/);
    // Asked for by name, the Spanish not-found page is a 404 too, as the English one is.
    expect((await raw('/es/404')).status).toBe(404);
  });

  it('translates the navigation, headings, labels, decisions and categories', async () => {
    const page = await open('/es?decision=overturned');
    await page.waitForSelector('.results li');
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('es');
    const nav = page.getByRole('navigation', { name: 'Principal' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual([
      'Buscar',
      'Estadísticas',
      'Consultar una solicitud',
      'Descargas',
      'Acerca de',
    ]);
    expect(
      await nav.getByRole('link').evaluateAll((a) => a.map((e) => e.getAttribute('href'))),
    ).toEqual(['/es', '/es/statistics', '/es/check', '/es/exports', '/es/about']);
    expect(await page.getByRole('link', { name: 'Buscar' }).getAttribute('aria-current')).toBe(
      'page',
    );
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Buscar decisiones de la Revisión Médica Independiente (IMR)',
    );
    expect(await page.title()).toBe('Buscar decisiones de IMR · IMR Atlas');
    const overturned = await api<ItemsPage>('/api/items?limit=20&decision=overturned');
    const n = overturned.items.length;
    await expect
      .poll(() => page.locator('p.count').innerText())
      .toBe(`Mostrando 1–${n} de ${overturned.total!.toLocaleString('es-US')} resultados.`);
    // Decisions and categories in Spanish; the request as the letter wrote it, marked English.
    const badges = await page.locator('.results .badge').allInnerTexts();
    expect(new Set(badges)).toEqual(new Set(['Revocada']));
    expect(await page.locator('.chip').innerText()).toBe('Decisión: Revocada');
    const first = overturned.items[0]!;
    const meta = await page.locator('.results li .meta').first().innerText();
    expect(meta).toContain(es.categories[first.category]);
    expect(await page.locator('.results li .request').first().getAttribute('lang')).toBe('en');
    expect(await page.locator('.results li .request').first().innerText()).toBe(first.request);
    expect(await page.locator('.results li .meta a').first().getAttribute('href')).toBe(
      `/es/determination?case=${encodeURIComponent(first.caseNumber)}`,
    );
    // The search's feed, offered in Spanish; the feed is the API's, the same in both languages.
    const subscribe = page.getByRole('link', { name: 'Suscríbase' });
    expect(await subscribe.getAttribute('href')).toBe('/api/feed.atom?decision=overturned');
    expect(
      await page
        .locator('link[rel="alternate"][type="application/atom+xml"]')
        .getAttribute('title'),
    ).toBe('IMR Atlas: decisiones más recientes de esta búsqueda');
    // The form's labels and choices are Spanish; the values sent are the API's.
    expect(await page.getByLabel('Decisión', { exact: true }).inputValue()).toBe('overturned');
    await page.getByLabel('Categoría', { exact: true }).selectOption({ label: 'Medicamentos' });
    await page.getByRole('button', { name: 'Aplicar filtros' }).click();
    await page.waitForURL(
      (u) => u.pathname === '/es' && u.searchParams.get('category') === 'Pharmaceuticals',
    );
    expect(errorsOf(page)).toEqual([]);
    await page.close();

    // A determination: Spanish labels and dates, the letter's text as written.
    const record = await api<PublicDetermination>(`/api/determinations/${sampleCase}`);
    const det = await open(`/es/determination?case=${sampleCase}`);
    await det.waitForSelector('.issue');
    expect(await det.getByRole('heading', { level: 1 }).innerText()).toBe(`Caso ${sampleCase}`);
    expect(
      await det.getByRole('heading', { name: 'Tratamientos en disputa y decisiones' }).count(),
    ).toBe(1);
    expect(await det.locator('.issue h3 [lang="en"]').first().innerText()).toBe(
      record.issues[0]!.request,
    );
    const decided = await det.locator('dl.fields dd').first().innerText();
    expect(decided).toMatch(/^\d{1,2} de [a-z]+ de \d{4}$/);
    await det.close();
  });

  it('switches language keeping the view: the same path, query string and state', async () => {
    // Page 2 of a filtered search, in English, switched to Spanish and back.
    const page = await open('/?decision=upheld');
    await page.waitForSelector('.results li');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForURL((u) => u.searchParams.get('page') === '2');
    await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Showing 21–40 of /);
    const english = new URL(page.url());
    const requests = await page.locator('.results li .request').allInnerTexts();
    const language = page.getByRole('navigation', { name: 'Language' });
    expect(await language.getByRole('link').getAttribute('hreflang')).toBe('es');
    await language.getByRole('link', { name: 'Español' }).click();
    await page.waitForURL((u) => u.pathname === '/es');
    const spanish = new URL(page.url());
    expect(spanish.search).toBe(english.search);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('es');
    await expect.poll(() => page.locator('p.count').innerText()).toMatch(/^Mostrando 21–40 de /);
    await expect.poll(() => page.locator('.results li .request').allInnerTexts()).toEqual(requests);
    await page
      .getByRole('navigation', { name: 'Idioma' })
      .getByRole('link', { name: 'English' })
      .click();
    await page.waitForURL((u) => u.pathname === '/');
    expect(new URL(page.url()).search).toBe(english.search);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
    await page.close();

    // The trend chosen on the statistics page stays chosen.
    const drug = (await api<Stats>('/api/stats?by=drug')).groups[0]!.key;
    const stats = await open(`/es/statistics?trend=drug&value=${encodeURIComponent(drug)}`);
    await stats.waitForSelector('#trend-title');
    expect(await stats.getByLabel('Mostrar', { exact: true }).inputValue()).toBe('drug');
    await stats.getByRole('link', { name: 'English' }).click();
    await stats.waitForURL((u) => u.pathname === '/statistics');
    expect(new URL(stats.url()).searchParams.get('value')).toBe(drug);
    await stats.waitForSelector('#trend-title');
    expect(await stats.getByLabel('Show', { exact: true }).inputValue()).toBe('drug');
    expect(await stats.locator('#trend-title').innerText()).toContain(drug);
    await stats.close();

    // The check page keeps its request.
    const check = await open(`/check?request=${encodeURIComponent(checkRequest)}`);
    await check.waitForSelector('[data-testid="basis-rate"]');
    await check.getByRole('link', { name: 'Español' }).click();
    await check.waitForURL((u) => u.pathname === '/es/check');
    expect(new URL(check.url()).searchParams.get('request')).toBe(checkRequest);
    await check.waitForSelector('[data-testid="basis-rate"]');
    expect(await check.getByLabel('Solicitud planeada').inputValue()).toBe(checkRequest);
    expect(await check.getByRole('heading', { level: 2 }).first().innerText()).toBe(
      'Tasa de revocación de solicitudes parecidas',
    );
    await check.close();
  });

  it('says the statistics in Spanish, with the same figures and translated group names', async () => {
    const byCategory = await api<Stats>('/api/stats?by=category');
    const page = await open('/es/statistics');
    await page.waitForSelector('[data-testid="total-items"]');
    expect(await page.getByTestId('total-items').innerText()).toBe(
      byCategory.totals.total.toLocaleString('es-US'),
    );
    const figure = page.locator('section.figure', { has: page.locator('#by-category-title') });
    expect(await figure.locator('h2').innerText()).toBe('Tasa de revocación por categoría');
    await figure.getByRole('button', { name: 'Tabla' }).click();
    const header = await figure.locator('thead th').allInnerTexts();
    expect(header.slice(0, 5)).toEqual([
      'Categoría',
      'Confirmadas',
      'Revocadas',
      'Total',
      'Tasa de revocación',
    ]);
    const names = await figure.locator('tbody th').allInnerTexts();
    expect(names).toContain('Medicamentos');
    expect(names).not.toContain('Pharmaceuticals');
    expect(names).toHaveLength(byCategory.groups.length);
    await page.close();
  });
});

/** A GET with the path sent exactly as written (fetch would normalise dot segments away). */
function raw(
  path: string,
  method = 'GET',
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the local server serving web/build', () => {
  it('maps / and extensionless paths to the prerendered pages, as CloudFront does', async () => {
    for (const [path, title] of [
      ['/', 'Search IMR decisions'],
      ['/statistics', 'Statistics'],
      ['/determination?case=CM24-9000001', 'Determination'],
      ['/check', 'Check a request'],
      ['/exports', 'Exports'],
      ['/about', 'About the data'],
    ] as const) {
      const res = await fetch(new URL(path, server.url));
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
      expect(await res.text()).toContain(`<title>${title}`);
    }
  });

  it('serves hashed assets with a long cache and the right types', async () => {
    const html = await (await fetch(server.url)).text();
    const script = /href="(\/_app\/immutable\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(new URL(script, server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await fetch(new URL('/favicon.svg', server.url));
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    const head = await raw('/about', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers 404 for unknown paths and never leaves web/build', async () => {
    for (const path of [
      '/nope',
      '/404',
      '/404.html',
      '/statistics/',
      '/_app/immutable/none.js',
      '/../package.json',
      '/%2e%2e/package.json',
      '/_app/..%2f..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/.svelte-kit/tsconfig.json',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"name": "imr-atlas"');
    }
    expect(sitePath('/srv/site', '/')).toBe('/srv/site/index.html');
    expect(sitePath('/srv/site', '/check')).toBe('/srv/site/check.html');
    expect(sitePath('/srv/site', '/_app/x.js')).toBe('/srv/site/_app/x.js');
    expect(sitePath('/srv/site', '/../etc/passwd')).toBeNull();
    expect(sitePath('/srv/site', '/a/../../etc')).toBeNull();
  });

  it('says how to build the site on every page when web/build is missing', async () => {
    const bare = await startLocalServer(stack, {
      port: 0,
      logger: createLogger({ level: 'silent' }),
      siteDir: join(SITE_DIR, 'not-built'),
    });
    try {
      const home = await fetch(new URL('/', bare.url));
      expect(await home.text()).toContain('npm run build:web');
      const statistics = await fetch(new URL('/statistics', bare.url));
      expect(statistics.status).toBe(404);
      expect(await statistics.text()).toContain('npm run build:web');
      expect((await fetch(new URL('/api/health', bare.url))).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('keeps the API and the export files on the same origin', async () => {
    expect((await fetch(new URL('/api/health', server.url))).status).toBe(200);
    expect((await fetch(new URL('/exports/latest.json', server.url))).status).toBe(200);
  });
});
