// shared/search: the words of a request as the term index stores and queries them.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { requestTerms, terms } from './terms.ts';
