import type { Feed } from './schemas.ts';

// A feed as an Atom 1.0 document (RFC 4287). Every string goes through one escape: the letters'
// text is open text ("<", "&", quotes, any script), and a single unescaped character or a
// character XML forbids would make the whole document unreadable to every reader.

export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

// Characters XML 1.0 does not allow anywhere, even escaped: C0 controls other than tab, line
// feed and carriage return, lone surrogates, U+FFFE and U+FFFF.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- finding these characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text made safe for XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The Atom document of a feed. */
export function atomXml(feed: Feed): string {
  const e = xmlEscape;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${e(feed.id)}</id>`,
    `  <title>${e(feed.title)}</title>`,
    `  <updated>${e(feed.updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${e(feed.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${e(feed.alternate)}"/>`,
    '  <author><name>IMR Atlas</name></author>',
  ];
  for (const entry of feed.entries) {
    lines.push(
      '  <entry>',
      `    <id>${e(entry.id)}</id>`,
      `    <title>${e(entry.title)}</title>`,
      `    <updated>${e(entry.updated)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${e(entry.link)}"/>`,
      `    <summary>${e(entry.summary)}</summary>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
