import { describe, expect, it } from 'vitest';
import { toIsoDate } from '../../shared/text/dates.ts';

describe('toIsoDate', () => {
  it.each([
    ['08/07/2012', '2012-08-07'],
    ['7/8/2002', '2002-07-08'],
    ['2/28/13', '2013-02-28'],
    ['10-13-16', '2016-10-13'],
    ['11-3-16', '2016-11-03'],
    ['August 10, 2010', '2010-08-10'],
    ['Sept. 3 2015', '2015-09-03'],
    ['02/29/2016', '2016-02-29'],
    ['5/1/69', '1969-05-01'],
  ])('reads %s as %s', (text, iso) => {
    expect(toIsoDate(text)).toBe(iso);
  });

  it.each(['02/30/2016', '13/01/2016', '00/10/2016', 'Smarch 3, 2016', '2016-10-13', ''])(
    'refuses %j',
    (text) => {
      expect(toIsoDate(text)).toBeNull();
    },
  );
});
