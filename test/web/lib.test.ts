import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, feedUrl, getSimilar, getStats, listItems, queryString } from '$lib/api.ts';
import { monthSpan, rateScale, yearTicks } from '$lib/charts.ts';
import { csvHref, toCsv } from '$lib/csv.ts';
import {
  ageText,
  bytes,
  count,
  interval,
  percent,
  plainDate,
  plainTime,
  shortMonth,
} from '$lib/format.ts';
import {
  emptyFilters,
  filtersFromParams,
  isEmpty,
  filterQuery,
  itemsQuery,
  pageFromParams,
  pageHref,
  searchHref,
  searchParams,
} from '$lib/search.ts';

// The site's plain modules: the API client (with fetch replaced), URL state, formats and CSV.

function reply(status: number, body: unknown, statusText = ''): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    statusText,
    headers: { 'content-type': 'application/json' },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the API client', () => {
  it('builds relative same-origin URLs from typed queries, leaving out empty values', async () => {
    const calls: string[] = [];
    const fetch = vi.fn((input: RequestInfo | URL) => {
      calls.push(String(input));
      return Promise.resolve(reply(200, { items: [], cursor: null, total: 0 }));
    });
    const page = await listItems(
      { drug: 'gabapentin', decision: 'overturned', q: '', limit: 20 },
      {
        fetch,
      },
    );
    expect(page.total).toBe(0);
    await getStats({ by: 'subcategory', category: 'Pharmaceuticals' }, { fetch });
    await getSimilar({ request: 'Norco 10/325mg #90' }, { fetch });
    expect(calls).toEqual([
      '/api/items?drug=gabapentin&decision=overturned&limit=20',
      '/api/stats?by=subcategory&category=Pharmaceuticals',
      '/api/stats/similar?request=Norco+10%2F325mg+%2390',
    ]);
    expect(queryString({})).toBe('');
  });

  it("turns the API's 400 into an ApiError naming the parameter", async () => {
    const fetch = vi.fn(() =>
      Promise.resolve(
        reply(400, {
          error: 'bad-request',
          message: 'from has no month 13',
          parameter: 'from',
          requestId: 'r-1',
        }),
      ),
    );
    const error = await listItems({ from: '2024-13' }, { fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      message: 'from has no month 13',
      parameter: 'from',
      requestId: 'r-1',
    });
  });

  it('reports an unreachable API and a non-JSON error page plainly', async () => {
    const down = vi.fn(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(getStats({ by: 'category' }, { fetch: down })).rejects.toMatchObject({
      status: 0,
      message: expect.stringMatching(/could not be reached/),
    });
    const proxy = vi.fn(() =>
      Promise.resolve(reply(502, '<html>Bad gateway</html>', 'Bad Gateway')),
    );
    await expect(getStats({ by: 'category' }, { fetch: proxy })).rejects.toMatchObject({
      status: 502,
      message: 'The API answered 502 Bad Gateway',
    });
  });

  it('uses the global fetch by default', async () => {
    const fetch = vi.fn(() => Promise.resolve(reply(200, { snapshots: [] })));
    vi.stubGlobal('fetch', fetch);
    const { listExports } = await import('$lib/api.ts');
    expect(await listExports()).toEqual({ snapshots: [] });
    expect(fetch).toHaveBeenCalledWith('/api/exports', expect.anything());
  });
});

describe('search state in the URL', () => {
  it('round-trips the filters through the query string, only those that are set', () => {
    const filters = {
      ...emptyFilters(),
      q: 'lumbar MRI',
      category: 'Diagnostic Testing',
      to: '2024',
    };
    const params = searchParams(filters);
    expect(params.toString()).toBe('q=lumbar+MRI&category=Diagnostic+Testing&to=2024');
    expect(filtersFromParams(params)).toEqual(filters);
    expect(filtersFromParams(new URLSearchParams('utm_source=x'))).toEqual(emptyFilters());
    expect(isEmpty(emptyFilters())).toBe(true);
    expect(searchHref({})).toBe('/');
    expect(searchHref({ drug: 'gabapentin' })).toBe('/?drug=gabapentin');
  });

  it('makes the API query, passing unknown values on for the API to explain', () => {
    const filters = {
      ...emptyFilters(),
      category: 'Pharmaceuticals',
      subcategory: 'Opioids',
      bodyRegion: 'knee',
      decision: 'sideways',
    };
    expect(itemsQuery(filters, 'c1', 20)).toEqual({
      limit: 20,
      category: 'Pharmaceuticals',
      subcategory: 'Opioids',
      bodyRegion: 'knee',
      decision: 'sideways',
      cursor: 'c1',
    });
    expect(itemsQuery(emptyFilters(), null, 20)).toEqual({ limit: 20 });
  });

  it('links the feed of a search with its filters, and no page', () => {
    const filters = {
      ...emptyFilters(),
      to: '2020',
      drug: 'gabapentin',
      decision: 'overturned',
      q: 'a&b',
      category: 'Pharmaceuticals',
    };
    // The filters in the search URL's order, as the feed's own self link has them.
    expect(feedUrl(filterQuery(filters))).toBe(
      '/api/feed.atom?q=a%26b&category=Pharmaceuticals&drug=gabapentin&decision=overturned&to=2020',
    );
    expect(feedUrl(filterQuery(emptyFilters()))).toBe('/api/feed.atom');
  });
});

describe('formats and CSV', () => {
  it('shows numbers and dates plainly, whatever the locale and time zone', () => {
    expect(count(1234567)).toBe('1,234,567');
    expect(percent(0.0852)).toBe('8.5%');
    expect(percent(null)).toBe('n/a');
    expect(plainDate('2024-12-05')).toBe('December 5, 2024');
    expect(plainDate('2024-12')).toBe('December 2024');
    expect(plainDate(null)).toBe('not stated');
    expect(shortMonth('2024-03')).toBe('Mar 2024');
    expect(plainTime('2025-01-02T03:04:05.000Z')).toBe('January 2, 2025, 03:04 UTC');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(2048)).toBe('2.0 KB');
    expect(ageText(48)).toBe('48 years old');
    expect(ageText('90 or older')).toBe('90 or older');
    expect(ageText(null)).toBeNull();
  });

  it('quotes CSV fields as RFC 4180 says and makes a data: URL of it', () => {
    const csv = toCsv(
      ['Group', 'Total', 'Rate'],
      [
        ['MTUS: Chronic Pain, 2009', 3, 0.3333],
        ['A "quoted" name', 0, null],
      ],
    );
    expect(csv).toBe(
      'Group,Total,Rate\r\n"MTUS: Chronic Pain, 2009",3,0.3333\r\n"A ""quoted"" name",0,\r\n',
    );
    // Text a spreadsheet would run as a formula is written as text; numbers stay numbers.
    expect(
      toCsv(
        ['Group', 'Total'],
        [
          ['=HYPERLINK("http://x","y")', -1],
          ['@SUM(A1)', 2],
          ['+1', 3],
        ],
      ),
    ).toBe('Group,Total\r\n"\'=HYPERLINK(""http://x"",""y"")",-1\r\n\'@SUM(A1),2\r\n\'+1,3\r\n');
    expect(decodeURIComponent(csvHref(csv).replace(/^data:text\/csv;charset=utf-8,/, ''))).toBe(
      csv,
    );
  });
});

describe('rate axes and time axes', () => {
  it('end a rate axis at the smallest round figure above the data', () => {
    expect(rateScale(0.123)).toEqual({ top: 0.15, ticks: [0, 0.05, 0.1, 0.15] });
    expect(rateScale(0.04)).toEqual({ top: 0.05, ticks: [0, 0.01, 0.02, 0.03, 0.04, 0.05] });
    expect(rateScale(0.2)).toMatchObject({ top: 0.2 });
    expect(rateScale(0.97)).toEqual({ top: 1, ticks: [0, 0.25, 0.5, 0.75, 1] });
    expect(rateScale(0)).toMatchObject({ top: 0.05 });
  });

  it('tick a run of months at each year', () => {
    const months = monthSpan(['2023-11', '2025-01', '2024-06']);
    expect(months).toHaveLength(15);
    expect(yearTicks(months)).toEqual([
      { index: 0, year: '2023' },
      { index: 2, year: '2024' },
      { index: 14, year: '2025' },
    ]);
  });

  it('say an interval in percent', () => {
    expect(interval(0.183, 0.2978)).toBe('18.3–29.8%');
    expect(interval(null, null)).toBe('n/a');
  });
});

describe('a page of a search in the URL', () => {
  it('round-trips the page, its first result and the cursor beside the filters', () => {
    const filters = { ...emptyFilters(), drug: 'gabapentin' };
    const href = pageHref(filters, { page: 3, first: 41, cursor: 'abc+/=' });
    const params = new URL(href, 'http://x').searchParams;
    expect(params.get('drug')).toBe('gabapentin');
    expect(pageFromParams(params)).toEqual({ page: 3, first: 41, cursor: 'abc+/=' });
    expect(filtersFromParams(params)).toEqual(filters);
    expect(pageHref(filters, null)).toBe('/?drug=gabapentin');
  });

  it('opens the first page for anything else', () => {
    expect(pageFromParams(new URLSearchParams('page=1&first=1&cursor=x'))).toBeNull();
    expect(pageFromParams(new URLSearchParams('page=2&first=21'))).toBeNull();
    expect(pageFromParams(new URLSearchParams('page=two&first=21&cursor=x'))).toBeNull();
    expect(pageFromParams(new URLSearchParams('page=-2&first=21&cursor=x'))).toBeNull();
  });
});
