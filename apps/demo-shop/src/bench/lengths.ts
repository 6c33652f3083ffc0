// Benchmark sessions by length from a dataset's test.txt. test.txt holds every prefix of every test session
// (`prefix ids TAB label`, one session's prefixes on consecutive lines), so the whole sessions are rebuilt
// first — otherwise one long session would be counted once per prefix. Pure: the CLI reads the file.
import type { LengthSessions } from './types.ts';

const isPrefix = (short: readonly string[], long: readonly string[]) =>
  short.length + 1 === long.length && short.every((id, i) => id === long[i]);

/**
 * The distinct sessions of a test.txt (prefix + label of the longest line of each run of consecutive
 * prefixes, in file order). Two neighbouring lines belong to one session when one's clicks are the other's
 * minus the last one (either order). Throws on a line without its TAB.
 */
export function sessionsFromTestLines(lines: readonly string[], source = 'test.txt'): string[][] {
  const sessions: string[][] = [];
  let previous: string[] | null = null;
  lines.forEach((line, n) => {
    if (line.length === 0) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`${source}:${n + 1}: no TAB between the session and its label`);
    const clicks = [...line.slice(0, tab).split(' ').filter(Boolean), line.slice(tab + 1).trim()];
    if (previous && isPrefix(clicks, previous)) {
      // Descending run (the datasets' order): the session seen first is the longest.
    } else if (previous && isPrefix(previous, clicks)) {
      sessions[sessions.length - 1] = clicks; // ascending run: the longer one replaces it
    } else {
      sessions.push(clicks);
    }
    previous = clicks;
  });
  return sessions;
}

/**
 * For each length n: up to `count` sessions that reach n clicks, taken evenly over the list and cut to
 * their first n clicks (the session as it was when the n-th click happened). A length that no session
 * reaches gets an empty list.
 */
export function sessionsByLength(
  sessions: readonly (readonly string[])[],
  lengths: readonly number[],
  count: number,
): LengthSessions[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a positive integer, got ${count}`);
  return lengths.map((length) => {
    if (!Number.isInteger(length) || length < 1)
      throw new RangeError(`session length must be a positive integer, got ${length}`);
    const reaching = sessions.filter((s) => s.length >= length);
    const take = Math.min(count, reaching.length);
    const picked: string[][] = [];
    for (let i = 0; i < take; i++)
      picked.push(reaching[Math.floor((i * reaching.length) / take)].slice(0, length));
    return { length, sessions: picked };
  });
}
