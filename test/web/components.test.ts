import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Issue, PublicItem, StatsGroup } from '$lib/api.ts';
import { ApiError } from '$lib/api.ts';
import BarChart from '$lib/components/BarChart.svelte';
import ChartFigure from '$lib/components/ChartFigure.svelte';
import DecisionBadge from '$lib/components/DecisionBadge.svelte';
import IssueDetail from '$lib/components/IssueDetail.svelte';
import ItemList from '$lib/components/ItemList.svelte';
import MonthChart from '$lib/components/MonthChart.svelte';
import RateTrend from '$lib/components/RateTrend.svelte';
import Pagination from '$lib/components/Pagination.svelte';
import SearchForm from '$lib/components/SearchForm.svelte';
import Status from '$lib/components/Status.svelte';
import { rateBar } from '$lib/rates.ts';
import { emptyFilters, type SearchFilters } from '$lib/search.ts';

// The site's components in jsdom: what they show, how they are labelled, what they emit.

const item = (over: Partial<PublicItem> = {}): PublicItem => ({
  caseNumber: 'CM24-9000001',
  ordinal: 1,
  request: 'Norco 10/325mg #90',
  decision: 'upheld',
  category: 'Pharmaceuticals',
  subcategory: 'Opioids',
  drug: 'hydrocodone/acetaminophen',
  bodyRegion: null,
  decisionDate: '2024-12-05',
  ...over,
});

const group = (key: string, label: string, total: number): StatsGroup => ({
  key,
  label,
  upheld: total - 1,
  overturned: 1,
  total,
  overturnRate: 1 / total,
  overturnRateLow: 0,
  overturnRateHigh: Math.min(1, 4 / total),
});

describe('DecisionBadge', () => {
  it('says the decision in words, not by colour alone', () => {
    render(DecisionBadge, { decision: 'overturned' });
    expect(screen.getByText('Overturned').className).toMatch(/overturned/);
    render(DecisionBadge, { decision: 'partially overturned' });
    expect(screen.getByText('Partially overturned')).toBeTruthy();
  });
});

describe('ItemList', () => {
  it('links each result to its determination and shows its decision and date', () => {
    render(ItemList, {
      items: [item(), item({ ordinal: 2, decision: 'overturned', request: 'MRI lumbar' })],
    });
    const rows = screen.getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    const link = within(rows[0]!).getByRole('link', { name: 'CM24-9000001' });
    expect(link.getAttribute('href')).toBe('/determination?case=CM24-9000001');
    expect(within(rows[0]!).getByText('Upheld')).toBeTruthy();
    expect(within(rows[1]!).getByText('Overturned')).toBeTruthy();
    expect(within(rows[0]!).getByText('December 5, 2024')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 3, name: 'MRI lumbar' })).toBeTruthy();
  });
});

describe('Pagination', () => {
  it('offers Previous and Next only where there is a page to go to', async () => {
    const onnext = vi.fn();
    const onprevious = vi.fn();
    render(Pagination, { page: 1, hasNext: true, onnext, onprevious });
    const previous = screen.getByRole<HTMLButtonElement>('button', { name: '← Previous' });
    expect(previous.disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Next →' }));
    expect(onnext).toHaveBeenCalledOnce();
    expect(onprevious).not.toHaveBeenCalled();
  });

  it('is absent when everything fits on one page', () => {
    const { container } = render(Pagination, {
      page: 1,
      hasNext: false,
      onnext: () => {},
      onprevious: () => {},
    });
    expect(container.querySelector('nav')).toBeNull();
  });
});

describe('Status', () => {
  it("shows the API's message and the field to change, by its label", () => {
    render(Status, {
      what: 'results',
      error: new ApiError(400, 'from has no month 13', 'from', 'req-9'),
      fields: { q: 'Keywords', from: 'Decided from' },
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/Could not load results\.\s+from has no month 13/);
    expect(alert.textContent).toMatch(/Change Decided from and try again\./);
    expect(alert.textContent).toMatch(/req-9/);
  });

  it('does not ask the reader to change a parameter the page has no field for', () => {
    // A cursor from before a server restart is refused; there is no "cursor" field to change.
    render(Status, {
      what: 'results',
      error: new ApiError(400, 'cursor is not one this query returned', 'cursor', 'req-10'),
      fields: { from: 'Decided from' },
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/cursor is not one this query returned/);
    expect(alert.textContent).not.toMatch(/Change/);
  });

  it('says what is loading', () => {
    render(Status, { what: 'the totals', loading: true });
    expect(screen.getByText('Loading the totals…')).toBeTruthy();
  });
});

describe('ChartFigure', () => {
  const props = {
    id: 'by-category',
    title: 'Overturn rate by category',
    columns: [
      { label: 'Category', kind: 'text' },
      { label: 'Total', kind: 'count' },
      { label: 'Overturn rate', kind: 'rate' },
    ] as const,
    rows: [
      ['Pharmaceuticals, other', 1879, 0.0852],
      ['Surgery', 12, null],
    ],
    filename: 'imr-atlas-by-category.csv',
    chart: createRawSnippet(() => ({ render: () => '<p>the chart</p>' })),
  };

  it('switches between the chart and a table of the same rows', async () => {
    render(ChartFigure, props);
    expect(screen.getByText('the chart')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    const tableButton = screen.getByRole('button', { name: 'Table' });
    expect(tableButton.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(tableButton);
    expect(tableButton.getAttribute('aria-pressed')).toBe('true');
    const cells = screen
      .getAllByRole('row')
      .map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent));
    expect(cells).toEqual([
      ['Category', 'Total', 'Overturn rate'],
      ['Pharmaceuticals, other', '1,879', '8.5%'],
      ['Surgery', '12', 'n/a'],
    ]);
  });

  it('offers the rows as a CSV download', () => {
    render(ChartFigure, props);
    const link = screen.getByRole('link', { name: /Download CSV/ });
    expect(link.getAttribute('download')).toBe('imr-atlas-by-category.csv');
    const csv = decodeURIComponent(link.getAttribute('href')!.split(',').slice(1).join(','));
    expect(csv).toBe(
      'Category,Total,Overturn rate\r\n"Pharmaceuticals, other",1879,0.0852\r\nSurgery,12,\r\n',
    );
  });

  it('says when there is nothing to show', () => {
    render(ChartFigure, { ...props, rows: [] });
    expect(screen.getByText('No decisions to show yet.')).toBeTruthy();
  });
});

describe('charts', () => {
  it('draws one bar per group with its value as text', () => {
    const { container } = render(BarChart, {
      label: 'Overturn rate by category',
      bars: [
        { label: 'A', value: 0.5, note: '50.0% (1 of 2)' },
        { label: 'B', value: 0.25, note: '25.0% (1 of 4)' },
      ],
    });
    expect(screen.getByRole('list', { name: 'Overturn rate by category' })).toBeTruthy();
    expect(screen.getByText('25.0% (1 of 4)')).toBeTruthy();
    const fills = [...container.querySelectorAll('rect.fill')].map((r) => r.getAttribute('width'));
    expect(fills).toEqual(['100', '50']);
  });

  it('scales a rate axis to the data and draws each interval over its bar', () => {
    const { container } = render(BarChart, {
      label: 'Overturn rate by category',
      rates: true,
      bars: [
        rateBar({ ...group('Surgery', 'Surgery', 208), overturned: 18, overturnRate: 0.0865 }),
        rateBar({
          ...group('Programs', 'Programs', 12),
          overturned: 1,
          overturnRate: 0.0833,
          overturnRateLow: 0.0149,
          overturnRateHigh: 0.3539,
        }),
      ],
    });
    // The widest interval ends at 35.4%, so the axis ends at 40%, ticked every 10%.
    const ticks = [...container.querySelectorAll('.tick')].map((t) => t.textContent);
    expect(ticks).toEqual(['0%', '10%', '20%', '30%', '40%']);
    const fills = [...container.querySelectorAll('rect.fill')].map((r) => r.getAttribute('width'));
    expect(Number(fills[0])).toBeCloseTo(21.6, 1);
    expect(container.querySelectorAll('line.whisker')).toHaveLength(6);
    expect(screen.getByText('8.3% (1 of 12)')).toBeTruthy();
    expect(screen.getByText('95% interval 1.5–35.4%')).toBeTruthy();
    // Only the group under 30 decisions is marked small, in words.
    expect(screen.getAllByText(/small group/)).toHaveLength(1);
    expect(container.querySelectorAll('li.small')).toHaveLength(1);
  });

  it('draws a rate by year with its interval band, scaled to the data', () => {
    const year = (key: string, overturned: number, total: number, low: number, high: number) => ({
      key,
      overturned,
      total,
      overturnRate: overturned / total,
      overturnRateLow: low,
      overturnRateHigh: high,
    });
    const { container } = render(RateTrend, {
      label: 'Overturn rate by year, gabapentin',
      years: [year('2016', 10, 100, 0.055, 0.174), year('2017', 3, 12, 0.089, 0.532)],
    });
    const svg = screen.getByRole('img');
    expect(svg.getAttribute('aria-label')).toMatch(/10.0% in 2016 and 25.0% in 2017/);
    expect(container.querySelector('polygon.band')).toBeTruthy();
    // 53.2% is the widest end: the axis runs to 60%.
    expect([...container.querySelectorAll('.y-axis span')].map((t) => t.textContent)).toEqual([
      '0%',
      '20%',
      '40%',
      '60%',
    ]);
    expect([...container.querySelectorAll('.x-axis span')].map((t) => t.textContent)).toEqual([
      '2016',
      '2017',
    ]);
    // 2017 rests on 12 decisions: a hollow point.
    expect(container.querySelectorAll('circle.small')).toHaveLength(1);
  });

  it('labels the month axis by year', () => {
    const { container } = render(MonthChart, {
      months: [
        { key: '2022-11', upheld: 4, overturned: 1 },
        { key: '2024-02', upheld: 2, overturned: 0 },
      ],
    });
    const years = [...container.querySelectorAll('.year')].map((y) => y.textContent);
    expect(years).toEqual(['2022', '2023', '2024']);
  });

  it('draws every month between the first and the last, gaps included', () => {
    const { container } = render(MonthChart, {
      months: [
        { key: '2023-11', upheld: 4, overturned: 1 },
        { key: '2024-02', upheld: 2, overturned: 0 },
      ],
    });
    // Nov, Dec, Jan, Feb: two rectangles (upheld, overturned) each.
    expect(container.querySelectorAll('svg > rect')).toHaveLength(8);
    const svg = screen.getByRole('img');
    expect(svg.getAttribute('aria-label')).toMatch(
      /from Nov 2023 to Feb 2024; most in Nov 2023 \(5\)/,
    );
  });
});

describe('SearchForm', () => {
  const options = {
    subcategories: [
      group('Pharmaceuticals|Opioids', 'Opioids (Pharmaceuticals)', 546),
      group('Injections|Epidural', 'Epidural (Injections)', 120),
    ],
    drugs: [group('gabapentin', 'gabapentin', 40)],
    bodyRegions: [group('knee', 'knee', 90)],
    specialties: [group('Pain Management', 'Pain Management', 300)],
  };

  it('folds the filters on a narrow screen, saying how many are set', () => {
    vi.stubGlobal('matchMedia', (q: string) => ({ matches: q.includes('max-width') }));
    const { container } = render(SearchForm, {
      value: { ...emptyFilters(), drug: 'gabapentin', decision: 'upheld' },
      options,
      onsearch: () => {},
    });
    vi.unstubAllGlobals();
    const details = container.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(container.querySelector('summary')!.textContent).toBe('Filters (2 active)');
    expect(screen.getByLabelText('Keywords in the request')).toBeTruthy();
  });

  it('labels every control', () => {
    render(SearchForm, { value: emptyFilters(), options, onsearch: () => {} });
    for (const label of [
      'Keywords in the request',
      'Category',
      'Subcategory or drug class',
      'Drug (generic name)',
      'Body region',
      'Reviewer specialty',
      'Decision',
      'Decided from',
      'Decided to',
    ]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    expect(screen.getByRole('search')).toBeTruthy();
  });

  it('emits the filters on submit; a drug class brings its category', async () => {
    const searches: SearchFilters[] = [];
    render(SearchForm, {
      value: emptyFilters(),
      options,
      onsearch: (f: SearchFilters) => searches.push(f),
    });
    await fireEvent.input(screen.getByLabelText('Keywords in the request'), {
      target: { value: 'norco' },
    });
    await fireEvent.change(screen.getByLabelText('Subcategory or drug class'), {
      target: { value: 'Pharmaceuticals|Opioids' },
    });
    // With a category chosen, the label says what the subcategory is.
    expect(screen.getByLabelText('Drug class')).toBeTruthy();
    await fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'overturned' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(searches).toEqual([
      {
        ...emptyFilters(),
        q: 'norco',
        category: 'Pharmaceuticals',
        subcategory: 'Opioids',
        decision: 'overturned',
      },
    ]);

    // Another category drops the subcategory, which belongs to the first.
    await fireEvent.change(screen.getByLabelText('Category'), { target: { value: 'Surgery' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Clear all' }));
    expect(searches[1]).toEqual(emptyFilters());
  });

  it('keeps a value from a shared URL that the choices do not list', () => {
    render(SearchForm, {
      value: { ...emptyFilters(), specialty: 'Podiatry' },
      options,
      onsearch: () => {},
    });
    expect(screen.getByLabelText<HTMLSelectElement>('Reviewer specialty').value).toBe('Podiatry');
  });
});

describe('IssueDetail', () => {
  const issue: Issue = {
    ordinal: 2,
    request: 'Norco 10/325mg #90',
    originalRequest: 'Norco 10/325mg #120',
    authorizedPortion: 'Norco 10/325mg #30',
    decision: 'overturned',
    category: 'Pharmaceuticals',
    subcategory: 'Opioids',
    drug: 'hydrocodone/acetaminophen',
    bodyRegion: null,
    bodyRegions: [],
    quantity: '#90',
    frequency: null,
    claimsAdministratorGuideline: null,
    reviewerGuideline: null,
    citations: [
      {
        source: 'MTUS',
        title: 'Chronic Pain Medical Treatment',
        year: 2016,
        sections: ['Opioids'],
        pages: ['74', '75'],
        guideline: 'mtus-chronic-pain-2016',
      },
    ],
    claimsAdministratorCitations: [],
    rationale: 'First paragraph.\n\nSecond paragraph.',
    conclusion: 'medically necessary',
    flags: [],
  };

  it('shows the decision, citations, rationale and links to similar items', async () => {
    const fetch = vi.fn(() =>
      Promise.resolve(
        new Response(
          JSON.stringify({
            similar: [
              { ...item(), caseNumber: 'CM24-9000001', score: 2 },
              { ...item(), caseNumber: 'CM23-9000002', request: 'Norco 10/325 #60', score: 1 },
            ],
          }),
          { status: 200 },
        ),
      ),
    );
    vi.stubGlobal('fetch', fetch);
    render(IssueDetail, { issue, caseNumber: 'CM24-9000001' });
    expect(
      screen.getByRole('heading', { level: 3, name: 'Item 2: Norco 10/325mg #90' }),
    ).toBeTruthy();
    expect(screen.getByText('Overturned')).toBeTruthy();
    expect(
      screen.getByText(/Chronic Pain Medical Treatment \(2016\); Opioids; pages 74, 75/),
    ).toBeTruthy();
    expect(
      screen.getByText('Counted as MTUS Chronic Pain Medical Treatment Guidelines (2016)'),
    ).toBeTruthy();
    expect(screen.getByText('Second paragraph.')).toBeTruthy();
    expect(screen.getByText('Norco 10/325mg #30')).toBeTruthy();
    const drugLink = screen.getByRole('link', { name: 'Decisions on hydrocodone/acetaminophen' });
    expect(drugLink.getAttribute('href')).toBe('/?drug=hydrocodone%2Facetaminophen');
    await fireEvent.click(screen.getByRole('button', { name: 'Show similar past decisions' }));
    // The case itself is left out of its own similar items.
    expect(await screen.findByRole('link', { name: 'CM23-9000002' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'CM24-9000001' })).toBeNull();
    expect(fetch).toHaveBeenCalledWith(
      '/api/stats/similar?request=Norco+10%2F325mg+%2390',
      expect.anything(),
    );
    vi.unstubAllGlobals();
  });
});
