import { SaxesParser } from 'saxes';

// Reads an Atom document as a strict XML parser does (saxes, the one jsdom uses): a document
// that is not well-formed XML throws, as it would in a feed reader.

const ATOM_NS = 'http://www.w3.org/2005/Atom';

interface Node {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
}

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

function parse(xml: string): Node {
  const parser = new SaxesParser({ xmlns: true });
  const root: Node = { name: '', uri: '', attributes: {}, children: [], text: '' };
  const open: Node[] = [root];
  parser.on('error', (e) => {
    throw new Error(`not well-formed XML: ${e.message}`);
  });
  parser.on('opentag', (tag) => {
    const node: Node = {
      name: tag.local,
      uri: tag.uri,
      attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.local, a.value])),
      children: [],
      text: '',
    };
    open[open.length - 1]!.children.push(node);
    open.push(node);
  });
  parser.on('text', (t) => {
    open[open.length - 1]!.text += t;
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.write(xml).close();
  const [feed, ...more] = root.children;
  if (feed === undefined || more.length > 0) throw new Error('expected one root element');
  return feed;
}

/** The parts of an Atom document, or an error when it is not well-formed or not Atom. */
export function readAtom(xml: string): ReadFeed {
  const root = parse(xml);
  if (root.name !== 'feed' || root.uri !== ATOM_NS) throw new Error(`not Atom: <${root.name}>`);
  const child = (parent: Node, name: string): Node => {
    const found = parent.children.filter((c) => c.name === name && c.uri === ATOM_NS);
    if (found.length !== 1) throw new Error(`expected one <${name}>, found ${found.length}`);
    return found[0]!;
  };
  const text = (parent: Node, name: string): string => child(parent, name).text;
  const links = (parent: Node) =>
    parent.children
      .filter((c) => c.name === 'link')
      .map((l) => ({
        rel: l.attributes.rel ?? '',
        type: l.attributes.type ?? '',
        href: l.attributes.href ?? '',
      }));
  return {
    id: text(root, 'id'),
    title: text(root, 'title'),
    updated: text(root, 'updated'),
    links: links(root),
    author: text(child(root, 'author'), 'name'),
    entries: root.children
      .filter((c) => c.name === 'entry')
      .map((e) => ({
        id: text(e, 'id'),
        title: text(e, 'title'),
        updated: text(e, 'updated'),
        link: links(e).find((l) => l.rel === 'alternate')?.href ?? '',
        summary: text(e, 'summary'),
      })),
  };
}
