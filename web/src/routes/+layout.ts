// Every page is prerendered to a static file; pages that depend on a query string (a search,
// a case number) render their shell at build time and ask the API in the browser.
export const prerender = true;
export const trailingSlash = 'never';
