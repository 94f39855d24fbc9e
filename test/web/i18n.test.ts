import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { PublicItem } from '$lib/api.ts';
import { ApiError } from '$lib/api.ts';
import DecisionBadge from '$lib/components/DecisionBadge.svelte';
import ItemList from '$lib/components/ItemList.svelte';
import Pagination from '$lib/components/Pagination.svelte';
import SearchForm from '$lib/components/SearchForm.svelte';
import Status from '$lib/components/Status.svelte';
import { count, percent, plainDate, plainTime, shortMonth, ageText } from '$lib/format.ts';
import { en } from '$lib/i18n/en.ts';
import { es } from '$lib/i18n/es.ts';
import {
  DICTIONARIES,
  groupLabel,
  i18nContext,
  langOf,
  langOfPath,
  localize,
  unprefixed,
} from '$lib/i18n/index.ts';
import { rateText, smallNote } from '$lib/rates.ts';
import { emptyFilters } from '$lib/search.ts';
import { AGE_90_OR_OLDER } from '../../shared/privacy/public-record.ts';
import { match } from '../../web/src/params/lang.ts';

// The site's languages: the Spanish dictionary has exactly English's shape, every string is
// translated (apart from the few that read the same in both), the paths of each language, and
// components rendered in Spanish.

/** Every leaf of a dictionary as "path: kind" (a function with its number of parameters). */
function shape(value: unknown, path = ''): string[] {
  // null: a text this language leaves out (about.lettersInEnglish in English).
  if (typeof value === 'string' || value === null) return [`${path}: text`];
  if (typeof value === 'function') return [`${path}: function/${value.length}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => shape(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.keys(value as object)
      .sort()
      .flatMap((k) => shape((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [`${path}: ${typeof value}`];
}

/** Every string leaf by path; functions are called with sample arguments. */
function texts(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value === 'function') {
    const args = Array.from({ length: value.length }, (_, i) => (i % 2 === 0 ? '12' : 2));
    return [[`${path}()`, String((value as (...a: unknown[]) => unknown)(...args))]];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => texts(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => texts(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Strings that are the same words in Spanish: a name and cognates. */
const SAME_IN_BOTH = [
  'bodyRegions.abdomen',
  'bodyRegions.pelvis',
  'layout.api',
  'statistics.columns.total',
  'subcategories.Epidural',
];

describe('the dictionaries', () => {
  it('give Spanish exactly the keys, lists and function parameters of English', () => {
    expect(shape(es)).toEqual(shape(en));
    // The check can fail: a key taken away is seen.
    const { layout, ...missing } = es;
    void layout;
    expect(shape(missing)).not.toEqual(shape(en));
  });

  it('translate every string, apart from the few that read the same', () => {
    const english = new Map(texts(en));
    const spanish = texts(es);
    // Anything else that reads as the English does was left untranslated.
    const same = spanish.filter(([path, text]) => english.get(path) === text).map(([p]) => p);
    expect(same.sort()).toEqual(SAME_IN_BOTH);
    for (const [path, text] of spanish) {
      expect(text.trim(), path).not.toBe('');
      expect(text, path).not.toMatch(/undefined|\[object /);
    }
  });

  it('name every category, drug class, body region and decision the taxonomy has', () => {
    expect(es.categories.Pharmaceuticals).toBe('Medicamentos');
    expect(es.decisions).toEqual({
      upheld: 'Confirmada',
      overturned: 'Revocada',
      'partially overturned': 'Revocada en parte',
    });
    // English names are the taxonomy's own.
    for (const [key, name] of Object.entries(en.categories)) expect(name).toBe(key);
    for (const [key, name] of Object.entries(en.subcategories)) expect(name).toBe(key);
    for (const [key, name] of Object.entries(en.bodyRegions)) expect(name).toBe(key);
  });

  it('say statistics groups in the language, leaving drugs and specialties as they are', () => {
    const t = DICTIONARIES.es;
    expect(groupLabel(t, { key: 'Pharmaceuticals', label: 'Pharmaceuticals' })).toBe(
      'Medicamentos',
    );
    expect(groupLabel(t, { key: 'Pharmaceuticals|Opioids', label: 'Opioids' })).toBe('Opioides');
    expect(groupLabel(t, { key: 'Injections|Other', label: 'Other (Injections)' })).toBe(
      'Otros (Inyecciones)',
    );
    expect(groupLabel(t, { key: 'lumbar spine', label: 'lumbar spine' })).toBe('columna lumbar');
    expect(groupLabel(t, { key: 'gabapentin', label: 'gabapentin' })).toBe('gabapentin');
    expect(groupLabel(t, { key: 'Astrology', label: 'Astrology' })).toBe('Astrology');
    expect(groupLabel(en, { key: 'Injections|Other', label: 'Other (Injections)' })).toBe(
      'Other (Injections)',
    );
  });
});

describe('the paths of each language', () => {
  it('puts Spanish under /es and English at the site paths, query strings kept', () => {
    expect(localize('es', '/')).toBe('/es');
    expect(localize('es', '/?q=mri&page=2')).toBe('/es?q=mri&page=2');
    expect(localize('es', '/statistics?trend=drug&value=gabapentin')).toBe(
      '/es/statistics?trend=drug&value=gabapentin',
    );
    expect(localize('es', '/es/check')).toBe('/es/check');
    expect(localize('en', '/es/check?request=MRI')).toBe('/check?request=MRI');
    expect(localize('en', '/es')).toBe('/');
    expect(localize('en', '/es?q=x')).toBe('/?q=x');
    expect(localize('en', '/about')).toBe('/about');
    // The API and the export files are not pages: the same in every language.
    expect(localize('es', '/api/openapi.json')).toBe('/api/openapi.json');
    expect(localize('es', '/exports/latest.json')).toBe('/exports/latest.json');
    expect(localize('es', '/exports')).toBe('/es/exports');
    expect(localize('es', 'https://example.org/')).toBe('https://example.org/');
  });

  it.each([
    ['en', '/es//attacker.example/phish'],
    ['es', '//attacker.example/phish'],
    ['en', '/es//attacker.example'],
    ['es', '/\\attacker.example'],
    ['en', '/es/\\attacker.example'],
  ] as const)(
    'keeps the language switch on the site at a not-found address: localize(%s, %s)',
    (lang, path) => {
      const href = localize(lang, path);
      expect(new URL(href, 'https://atlas.example/').host).toBe('atlas.example');
      expect(href).toMatch(/^\/[^/\\]/);
    },
  );

  it('reads the language of a path and of a route parameter', () => {
    expect(langOfPath('/es')).toBe('es');
    expect(langOfPath('/es/statistics')).toBe('es');
    expect(langOfPath('/es?q=1')).toBe('es');
    expect(langOfPath('/estadisticas')).toBe('en');
    expect(langOfPath('/statistics')).toBe('en');
    expect(langOfPath('/')).toBe('en');
    expect(unprefixed('/es/determination?case=CM16-0000001')).toBe(
      '/determination?case=CM16-0000001',
    );
    expect(langOf(undefined)).toBe('en');
    expect(langOf('es')).toBe('es');
    expect(langOf('fr')).toBe('en');
  });

  it('matches only a language with a prefix as the first segment of a route', () => {
    expect(match('es')).toBe(true);
    expect(match('en')).toBe(false);
    expect(match('statistics')).toBe(false);
    expect(match('ES')).toBe(false);
  });
});

describe('counts', () => {
  it('say one decision in the singular, in both languages', () => {
    expect(en.form.decisionsCount('1')).toBe('1 decision');
    expect(en.charts.decisions('1,234')).toBe('1,234 decisions');
    expect(es.form.decisionsCount('1')).toBe('1 decisión');
    expect(es.charts.decisions('2')).toBe('2 decisiones');
  });
});

describe('numbers and dates in Spanish', () => {
  it('writes numbers as es-US does and dates in Spanish words', () => {
    expect(count(1234567, 'es')).toBe('1,234,567');
    expect(percent(0.0852, 'es')).toBe('8.5%');
    expect(percent(null, 'es')).toBe('n/d');
    expect(plainDate('2024-12-25', 'es')).toBe('25 de diciembre de 2024');
    expect(plainDate('2024-06', 'es')).toBe('junio de 2024');
    expect(plainDate(null, 'es')).toBe('no consta');
    expect(plainTime('2024-12-25T14:03:00Z', 'es')).toBe('25 de diciembre de 2024, 14:03 UTC');
    expect(shortMonth('2024-01', 'es')).toBe('ene 2024');
    expect(ageText(48, 'es')).toBe('48 años');
    expect(en.format.age90OrOlder).toBe(AGE_90_OR_OLDER);
    expect(ageText(AGE_90_OR_OLDER, 'es')).toBe('90 años o más');
    expect(ageText('90 or older')).toBe('90 or older');
    expect(
      rateText(
        {
          overturned: 49,
          total: 208,
          overturnRate: 0.2356,
          overturnRateLow: 0.18,
          overturnRateHigh: 0.3,
        },
        'es',
      ),
    ).toBe('23.6% (49 de 208)');
    expect(smallNote('es')).toBe('grupo pequeño (menos de 30 decisiones)');
    // English stays as it was.
    expect(plainDate('2024-12-25')).toBe('December 25, 2024');
  });
});

const item: PublicItem = {
  caseNumber: 'CM24-9000001',
  ordinal: 1,
  request: 'Norco 10/325mg #90',
  decision: 'overturned',
  category: 'Pharmaceuticals',
  subcategory: 'Opioids',
  drug: 'hydrocodone/acetaminophen',
  bodyRegion: 'lumbar spine',
  decisionDate: '2024-12-05',
};

describe('components in Spanish', () => {
  const context = i18nContext('es');

  it('say decisions, categories and dates in Spanish and link within /es; the request as written', () => {
    render(ItemList, { props: { items: [item] }, context });
    const row = screen.getByRole('listitem');
    expect(within(row).getByText('Revocada')).toBeTruthy();
    expect(within(row).getByText('Medicamentos · Opioides')).toBeTruthy();
    expect(within(row).getByText('5 de diciembre de 2024')).toBeTruthy();
    expect(within(row).getByText('columna lumbar')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'CM24-9000001' }).getAttribute('href')).toBe(
      '/es/determination?case=CM24-9000001',
    );
    const request = within(row).getByRole('heading', { name: 'Norco 10/325mg #90' });
    expect(request.getAttribute('lang')).toBe('en');
  });

  it('label every search control in Spanish, keeping the values the API takes', () => {
    render(SearchForm, {
      props: {
        value: emptyFilters(),
        options: { subcategories: [], drugs: [], bodyRegions: [], specialties: [] },
        onsearch: () => {},
      },
      context,
    });
    expect(screen.getByRole('search', { name: 'Buscar decisiones' })).toBeTruthy();
    for (const label of [
      'Palabras de la solicitud',
      'Categoría',
      'Subcategoría o clase de medicamento',
      'Medicamento (nombre genérico)',
      'Región del cuerpo',
      'Especialidad del revisor',
      'Decisión',
      'Fecha de decisión desde',
      'Fecha de decisión hasta',
    ]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    const decision = screen.getByLabelText('Decisión');
    expect(
      within(decision)
        .getByRole('option', { name: /^Revocada/ })
        .getAttribute('value'),
    ).toBe('overturned');
    const category = screen.getByLabelText('Categoría');
    expect(
      within(category).getByRole('option', { name: 'Medicamentos' }).getAttribute('value'),
    ).toBe('Pharmaceuticals');
  });

  it('name pages, badges and the site’s own errors in Spanish', () => {
    render(Pagination, {
      props: { page: 2, hasNext: true, onnext: () => {}, onprevious: () => {} },
      context,
    });
    expect(screen.getByRole('navigation', { name: 'Páginas de resultados' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Siguiente →' })).toBeTruthy();
    render(DecisionBadge, { props: { decision: 'partially overturned' }, context });
    expect(screen.getByText('Revocada en parte')).toBeTruthy();
    render(Status, {
      props: {
        what: 'los resultados',
        error: new ApiError(0, 'The API could not be reached.', null, null, 'unreachable'),
      },
      context,
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Error al cargar los resultados.');
    expect(alert.textContent).toContain('No se pudo conectar con la API.');
  });

  it("keeps the API's own message as it wrote it, marked as English", () => {
    render(Status, {
      props: {
        what: 'los resultados',
        error: new ApiError(400, 'decision must be upheld or overturned', 'decision'),
        fields: { decision: 'Decisión' },
      },
      context,
    });
    const message = screen.getByText('decision must be upheld or overturned');
    expect(message.getAttribute('lang')).toBe('en');
    expect(screen.getByRole('alert').textContent).toContain(
      'Cambie el campo Decisión e intente de nuevo.',
    );
  });
});
