// Real benchmark sessions: test prefixes of a dataset folder (`test.txt`: prefix ids, TAB, label), picked
// evenly over the file so that short and long sessions, early and late ones, are all represented.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readTestSessions(datasetDir: string, count: number): Promise<string[][]> {
  const path = join(datasetDir, 'test.txt');
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.length > 0);
  if (lines.length === 0) throw new Error(`${path}: no test cases`);
  const sessions: string[][] = [];
  for (let i = 0; i < count; i++) {
    const lineNumber = Math.floor((i * lines.length) / count) % lines.length;
    const tab = lines[lineNumber].indexOf('\t');
    if (tab < 0) throw new Error(`${path}:${lineNumber + 1}: no TAB between the session and its label`);
    sessions.push(lines[lineNumber].slice(0, tab).split(' ').filter(Boolean));
  }
  return sessions;
}
