import type { Handle } from '@sveltejs/kit';
import { langOfPath } from '$lib/i18n/index.ts';

// Runs while pages are prerendered: each page's <html lang> is its language (app.html's
// %lang%), so /es/... files are marked Spanish before any script runs.
export const handle: Handle = ({ event, resolve }) =>
  resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', langOfPath(event.url.pathname)),
  });
