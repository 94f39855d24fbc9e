import type { ParamMatcher } from '@sveltejs/kit';
import { isPrefixLang } from '$lib/i18n/index.ts';

// The first segment of src/routes/[[lang=lang]]/: a language with a path prefix ("es"). English
// has none, so "/statistics" is never read as a language.
export const match = ((param: string) => isPrefixLang(param)) satisfies ParamMatcher;
