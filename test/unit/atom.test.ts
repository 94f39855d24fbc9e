import { describe, expect, it } from 'vitest';
import { atomXml, xmlEscape } from '../../shared/api/atom.ts';
import { feedTitle } from '../../shared/api/feed.ts';
import type { Feed } from '../../shared/api/schemas.ts';
import { readAtom } from '../support/atom.ts';

const HOSTILE = `Norco <b>10/325</b> & "Percocet" 'x' ]]> café 痛み 💊`;

function feed(overrides: Partial<Feed> = {}): Feed {
  return {
    id: 'tag:imr-atlas,2026:feed?q=norco',
    title: 'IMR Atlas: newest decisions',
    updated: '2016-12-09T00:00:00Z',
    self: '/api/feed.atom?q=norco&decision=overturned',
    alternate: '/?q=norco&decision=overturned',
    entries: [
      {
        id: 'tag:imr-atlas,2026:CM16-0000042/item/3',
        title: `${HOSTILE} (overturned)`,
        updated: '2016-12-09T00:00:00Z',
        link: '/determination?case=CM16-0000042#item-3',
        summary: `Overturned on 2016-12-09: ${HOSTILE}.`,
      },
    ],
    ...overrides,
  };
}

describe('the Atom writer', () => {
  it('writes a well-formed Atom document whose text reads back exactly', () => {
    const xml = atomXml(feed());
    const read = readAtom(xml);
    expect(read.entries).toEqual(feed().entries);
    expect(read.links).toEqual([
      {
        rel: 'self',
        type: 'application/atom+xml',
        href: '/api/feed.atom?q=norco&decision=overturned',
      },
      { rel: 'alternate', type: 'text/html', href: '/?q=norco&decision=overturned' },
    ]);
    expect(read.author).toBe('IMR Atlas');
    // Nothing of the text is markup: no element, no CDATA end, no bare ampersand.
    expect(xml).not.toContain('<b>');
    expect(xml).toContain('&lt;b&gt;10/325&lt;/b&gt; &amp; &quot;Percocet&quot; &apos;x&apos;');
  });

  it('drops the characters XML cannot carry, which would make the whole feed unreadable', () => {
    const broken = `a\u0000b\u0007c\u001Fd\uFFFEe\uD800f\tg`;
    expect(xmlEscape(broken)).toBe('abcdef\tg');
    // A surrogate pair (an emoji) is a character like any other and stays.
    expect(xmlEscape('💊')).toBe('💊');
    const xml = atomXml(feed({ title: broken }));
    expect(readAtom(xml).title).toBe('abcdef\tg');
  });

  it('writes a feed with no entries', () => {
    expect(readAtom(atomXml(feed({ entries: [] }))).entries).toEqual([]);
  });
});

describe('the feed title', () => {
  it('says what the filters are', () => {
    expect(feedTitle({})).toBe('IMR Atlas: newest decisions');
    expect(feedTitle({ drug: 'gabapentin', decision: 'overturned', from: '2016' })).toBe(
      'IMR Atlas: newest overturned decisions, drug gabapentin, decided from 2016',
    );
    expect(
      feedTitle({
        q: 'lumbar mri',
        category: 'Diagnostic Testing',
        specialty: 'Orthopaedic Surgery',
      }),
    ).toBe(
      'IMR Atlas: newest decisions, requests with the words "lumbar mri", category Diagnostic ' +
        'Testing, reviewer specialty Orthopaedic Surgery',
    );
  });
});
