import { describe, expect, it } from 'vitest';
import { sessionsByLength, sessionsFromTestLines } from './lengths.ts';

describe('sessionsFromTestLines', () => {
  it('rebuilds each session once from its consecutive prefixes (descending, as the datasets are)', () => {
    const lines = ['1 2 3\t4', '1 2\t3', '1\t2', '7 8\t9', '7\t8', '5\t6', ''];
    expect(sessionsFromTestLines(lines)).toEqual([
      ['1', '2', '3', '4'],
      ['7', '8', '9'],
      ['5', '6'],
    ]);
  });

  it('also merges ascending runs, keeping the longest', () => {
    expect(sessionsFromTestLines(['1\t2', '1 2\t3', '4\t5'])).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
  });

  it('keeps neighbours apart that are not one click from each other', () => {
    // Same first click, but the second line is not the first minus its last click.
    expect(sessionsFromTestLines(['1 2\t3', '1\t9'])).toEqual([
      ['1', '2', '3'],
      ['1', '9'],
    ]);
  });

  it('names the line without a TAB', () => {
    expect(() => sessionsFromTestLines(['1\t2', '3 4'], 'x/test.txt')).toThrow('x/test.txt:2: no TAB');
  });
});

describe('sessionsByLength', () => {
  const sessions = Array.from({ length: 30 }, (_, s) =>
    Array.from({ length: 1 + (s % 10) }, (_, t) => `${s}.${t}`),
  );

  it('takes only sessions that reach the length, cut to their first n clicks, spread over the list', () => {
    const [one, five, ten, eleven] = sessionsByLength(sessions, [1, 5, 10, 11], 4);
    expect(one.sessions.map((s) => s[0])).toEqual(['0.0', '7.0', '15.0', '22.0']);
    expect(five.length).toBe(5);
    for (const s of five.sessions) expect(s).toHaveLength(5);
    // Sessions 4..9, 14..19, 24..29 reach 5 clicks; the picks come from the whole list, not its start.
    expect(five.sessions.map((s) => s[0])).toEqual(['4.0', '8.0', '17.0', '25.0']);
    expect(five.sessions[0]).toEqual(sessions[4].slice(0, 5));
    // Only 3 sessions (9, 19, 29) reach 10 clicks: fewer than asked, never padded with shorter ones.
    expect(ten.sessions.map((s) => s[9])).toEqual(['9.9', '19.9', '29.9']);
    expect(eleven.sessions).toEqual([]);
  });

  it('rejects a bad count or length', () => {
    expect(() => sessionsByLength(sessions, [1], 0)).toThrow(RangeError);
    expect(() => sessionsByLength(sessions, [0], 5)).toThrow('session length must be a positive integer');
  });
});
