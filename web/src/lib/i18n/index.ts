import { getContext, setContext } from 'svelte';
import { en, type Dictionary } from './en.ts';
import { es } from './es.ts';

// The site's languages: English at the site's paths, Spanish under /es (/es, /es/statistics,
// ...). The one module that owns the dictionaries, the language of a path and the paths of a
// language. The route folder src/routes/[[lang=lang]]/ takes the language from the first
// segment (src/params/lang.ts); the root layout hands the page's language to every component
// through context (setI18n), and components read it with useI18n.

export type { Dictionary };
export const LANGS = ['en', 'es'] as const;
export type Lang = (typeof LANGS)[number];
/** The language of the paths without a prefix. */
export const DEFAULT_LANG: Lang = 'en';
export const DICTIONARIES: Readonly<Record<Lang, Dictionary>> = { en, es };

/** True for a language that has a path prefix ("es"): what the route's param matcher accepts. */
export function isPrefixLang(value: string): value is Exclude<Lang, typeof DEFAULT_LANG> {
  return value !== DEFAULT_LANG && (LANGS as readonly string[]).includes(value);
}

/** The language of a route's `lang` parameter (absent: the default). */
export function langOf(param: string | undefined): Lang {
  return param !== undefined && isPrefixLang(param) ? param : DEFAULT_LANG;
}

/** The language of a URL path ("/es/statistics" → "es"). */
export function langOfPath(pathname: string): Lang {
  return langOf(/^\/([^/?#]+)/.exec(pathname)?.[1]);
}

/** A path without its language prefix: "/es/statistics?x=1" → "/statistics?x=1", "/es" → "/". */
export function unprefixed(href: string): string {
  const lang = langOfPath(href);
  if (lang === DEFAULT_LANG) return href;
  const rest = href.slice(lang.length + 1);
  return rest === '' || rest.startsWith('?') || rest.startsWith('#') ? `/${rest}` : rest;
}

/**
 * An absolute site path in `lang`: "/statistics" → "/es/statistics", "/?q=mri" → "/es?q=mri"
 * (the site's paths have no trailing slash). Paths outside the pages (/api, /exports files) and
 * paths already in a language are left alone; a path always stays on this site.
 */
export function localize(lang: Lang, href: string): string {
  if (!href.startsWith('/')) return href;
  // One leading slash, always: a not-found page is served at any path, and "//host" (or "/\host")
  // read from its address would send the language switch to another site.
  const onSite = (p: string): string => p.replace(/^[/\\]+/, '/');
  const safe = onSite(href);
  if (/^\/(api|exports|_app)\//.test(safe)) return safe;
  const path = onSite(unprefixed(safe));
  if (lang === DEFAULT_LANG) return path;
  return path === '/' || path.startsWith('/?') || path.startsWith('/#')
    ? `/${lang}${path.slice(1)}`
    : `/${lang}${path}`;
}

/** What components read: the page's language, its words and its paths. */
export interface I18n {
  readonly lang: Lang;
  readonly t: Dictionary;
  /** An absolute site path in the page's language. */
  href(path: string): string;
}

/** An I18n whose language is read from `lang` each time (a getter over reactive state). */
export function i18nOf(lang: () => Lang): I18n {
  return {
    get lang() {
      return lang();
    },
    get t() {
      return DICTIONARIES[lang()];
    },
    href: (path) => localize(lang(), path),
  };
}

const KEY = Symbol('i18n');
const ENGLISH = i18nOf(() => DEFAULT_LANG);

/** Gives the components below the page's language (the root layout calls it). */
export function setI18n(i18n: I18n): I18n {
  return setContext(KEY, i18n);
}

/** The page's language, words and paths; English outside a page (a component test). */
export function useI18n(): I18n {
  return getContext<I18n | undefined>(KEY) ?? ENGLISH;
}

/** The context map that renders a component in `lang` (for tests: render(C, { context })). */
export function i18nContext(lang: Lang): Map<symbol, I18n> {
  return new Map([[KEY, i18nOf(() => lang)]]);
}

type Named<K extends string> = Readonly<Record<K, string>>;
function nameIn<K extends string>(names: Named<K>, value: string): string {
  return Object.hasOwn(names, value) ? names[value as K] : value;
}

/** A category's name in `t`'s language; a value the taxonomy does not know stays as it is. */
export function categoryName(t: Dictionary, category: string): string {
  return nameIn(t.categories, category);
}

/** A subcategory's (drug class's) name. */
export function subcategoryName(t: Dictionary, subcategory: string): string {
  return nameIn(t.subcategories, subcategory);
}

/** A body region's name. */
export function bodyRegionName(t: Dictionary, region: string): string {
  return nameIn(t.bodyRegions, region);
}

/**
 * A statistics group's label in `t`'s language, from its key: categories, "Category|Subcategory"
 * keys ("Opioids", or "Other (Injections)" when the label names the category) and body regions.
 * Other groups (drugs, specialties, guidelines, months) keep the API's label.
 */
export function groupLabel(t: Dictionary, group: { key: string; label: string }): string {
  const bar = group.key.indexOf('|');
  if (bar >= 0) {
    const category = group.key.slice(0, bar);
    const subcategory = group.key.slice(bar + 1);
    if (group.label === subcategory) return subcategoryName(t, subcategory);
    if (group.label === `${subcategory} (${category})`) {
      return `${subcategoryName(t, subcategory)} (${categoryName(t, category)})`;
    }
    return group.label;
  }
  if (group.label !== group.key) return group.label;
  return nameIn(t.categories, nameIn(t.bodyRegions, group.key));
}
