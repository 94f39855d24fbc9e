import { JSDOM } from 'jsdom';

// Reads an Atom document as a strict XML parser does: a document that is not well-formed XML
// throws, as it would in a feed reader.

const ATOM_NS = 'http://www.w3.org/2005/Atom';

export interface ReadEntry {
  id: string;
  title: string;
  updated: string;
  link: string;
  summary: string;
}

export interface ReadFeed {
  id: string;
  title: string;
  updated: string;
  links: { rel: string; type: string; href: string }[];
  author: string;
  entries: ReadEntry[];
}

/** The parts of an Atom document, or an error when it is not well-formed or not Atom. */
export function readAtom(xml: string): ReadFeed {
  const { DOMParser } = new JSDOM('').window;
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const error = doc.getElementsByTagName('parsererror')[0];
  if (error !== undefined) throw new Error(`not well-formed XML: ${error.textContent ?? ''}`);
  const root = doc.documentElement;
  if (root.localName !== 'feed' || root.namespaceURI !== ATOM_NS) {
    throw new Error(`not an Atom feed: <${root.tagName}>`);
  }
  const child = (parent: Element, name: string): Element => {
    const found = [...parent.children].filter(
      (c) => c.localName === name && c.namespaceURI === ATOM_NS,
    );
    if (found.length !== 1) throw new Error(`expected one <${name}>, found ${found.length}`);
    return found[0]!;
  };
  const text = (parent: Element, name: string): string => child(parent, name).textContent ?? '';
  const links = (parent: Element) =>
    [...parent.children]
      .filter((c) => c.localName === 'link')
      .map((l) => ({
        rel: l.getAttribute('rel') ?? '',
        type: l.getAttribute('type') ?? '',
        href: l.getAttribute('href') ?? '',
      }));
  return {
    id: text(root, 'id'),
    title: text(root, 'title'),
    updated: text(root, 'updated'),
    links: links(root),
    author: text(child(root, 'author'), 'name'),
    entries: [...root.children]
      .filter((c) => c.localName === 'entry')
      .map((e) => ({
        id: text(e, 'id'),
        title: text(e, 'title'),
        updated: text(e, 'updated'),
        link: links(e).find((l) => l.rel === 'alternate')?.href ?? '',
        summary: text(e, 'summary'),
      })),
  };
}
