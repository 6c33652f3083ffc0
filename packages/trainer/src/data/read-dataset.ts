// Reads a dataset folder in the shared format (datasets/README.md): train.txt (one session a line,
// ids separated by single spaces), test.txt (prefix TAB label), optional dataset.json (name, numItems) and
// optional vocab.txt (line i = the shop's id of item i, as `pnpm train prepare` writes it).
// Item ids 1..V become internal indices 0..V-1. The parser works on bytes: a 4 MB file takes milliseconds.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DatasetError } from './errors.ts';

/** One ranking case: the session so far (internal indices, oldest first) and the item that came next. */
export interface SessionCase {
  prefix: Int32Array;
  label: number;
}

export interface Dataset {
  name: string;
  /** V: internal indices are 0 … V−1. dataset.json's numItems when given, else the largest id seen. */
  numItems: number;
  trainSessions: Int32Array[];
  testCases: SessionCase[];
  /** vocab.txt's ids (index i = item id i + 1) when the folder has one: bundles carry them as their vocabulary. */
  vocabulary?: string[];
}

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const CR = 13;
const ZERO = 48;
const NINE = 57;
const MAX_ID = 2 ** 31 - 1;

/** Parses the id lines of one file into one shared buffer of internal indices. */
class LineParser {
  private ids: Int32Array;
  private count = 0;
  maxId = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly idLimit: number,
  ) {
    // Every id takes at least two bytes (a digit and a separator), except possibly the last.
    this.ids = new Int32Array((bytes.length >> 1) + 1);
  }

  /** Parses ids separated by single spaces in [start, end); returns how many. */
  parseIds(start: number, end: number, line: number, what: string): number {
    const b = this.bytes;
    if (start === end) throw new DatasetError(this.file, line, `empty ${what}`);
    let i = start;
    let n = 0;
    for (;;) {
      const tokenStart = i;
      let value = 0;
      while (i < end && b[i] >= ZERO && b[i] <= NINE) value = value * 10 + (b[i++] - ZERO);
      if (i === tokenStart || (i < end && b[i] !== SPACE)) {
        let tokenEnd = i;
        while (tokenEnd < end && b[tokenEnd] !== SPACE) tokenEnd++;
        const token = new TextDecoder().decode(b.subarray(tokenStart, tokenEnd));
        const problem =
          token === ''
            ? `empty item id in ${what} (ids are separated by single spaces)`
            : token.includes('\t')
              ? `unexpected TAB in ${what} ("${token.replace(/\t/g, '\\t')}")`
              : `item id "${token}" in ${what} is not a positive integer`;
        throw new DatasetError(this.file, line, problem);
      }
      if (value === 0) throw new DatasetError(this.file, line, `item id 0 in ${what}: ids start at 1`);
      if (value > this.idLimit) {
        const limit =
          this.idLimit === MAX_ID ? `the largest supported id ${MAX_ID}` : `numItems ${this.idLimit}`;
        throw new DatasetError(this.file, line, `item id ${value} in ${what} exceeds ${limit}`);
      }
      if (value > this.maxId) this.maxId = value;
      this.ids[this.count++] = value - 1;
      n++;
      if (i === end) return n;
      i++; // the space
      if (i === end) throw new DatasetError(this.file, line, `trailing space in ${what}`);
    }
  }

  /** Calls `onLine(start, end, lineNumber)` for each non-empty line (CRLF tolerated). */
  forEachLine(onLine: (start: number, end: number, line: number) => void): void {
    const b = this.bytes;
    let start = 0;
    let line = 0;
    let emptyLine = 0; // first empty line not yet followed by content
    while (start < b.length) {
      line++;
      let end = b.indexOf(NEWLINE, start);
      const next = end === -1 ? b.length : end + 1;
      if (end === -1) end = b.length;
      if (end > start && b[end - 1] === CR) end--;
      if (end === start) {
        if (emptyLine === 0) emptyLine = line;
      } else {
        if (emptyLine !== 0) throw new DatasetError(this.file, emptyLine, 'empty line');
        onLine(start, end, line);
      }
      start = next;
    }
  }

  result(): { ids: Int32Array; count: number } {
    return { ids: this.ids, count: this.count };
  }
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DatasetError(path, undefined, missing ? 'no such file' : String(cause), { cause });
  }
}

function readMeta(dir: string): { name?: string; numItems?: number } {
  const path = join(dir, 'dataset.json');
  if (!existsSync(path)) return {};
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DatasetError(path, undefined, 'not valid JSON', { cause });
  }
  if (typeof meta !== 'object' || meta === null) throw new DatasetError(path, undefined, 'not a JSON object');
  const { name, numItems } = meta as Record<string, unknown>;
  if (numItems !== undefined && !(Number.isSafeInteger(numItems) && (numItems as number) >= 1)) {
    throw new DatasetError(
      path,
      undefined,
      `numItems must be a positive integer, got ${JSON.stringify(numItems)}`,
    );
  }
  if (name !== undefined && typeof name !== 'string')
    throw new DatasetError(path, undefined, 'name must be a string');
  return { name, numItems: numItems as number | undefined };
}

function readTrain(path: string, idLimit: number): { sessions: Int32Array[]; maxId: number } {
  const parser = new LineParser(readBytes(path), path, idLimit);
  const bounds: number[] = [0];
  let total = 0;
  parser.forEachLine((start, end, line) => {
    total += parser.parseIds(start, end, line, 'session');
    bounds.push(total);
  });
  // One compact buffer; sessions are views into it.
  const ids = parser.result().ids.slice(0, total);
  const sessions = new Array<Int32Array>(bounds.length - 1);
  for (let s = 0; s < sessions.length; s++) sessions[s] = ids.subarray(bounds[s], bounds[s + 1]);
  return { sessions, maxId: parser.maxId };
}

function readTest(path: string, idLimit: number): { cases: SessionCase[]; maxId: number } {
  const bytes = readBytes(path);
  const parser = new LineParser(bytes, path, idLimit);
  const bounds: number[] = [];
  let total = 0;
  parser.forEachLine((start, end, line) => {
    const tab = bytes.indexOf(TAB, start);
    if (tab === -1 || tab >= end) {
      throw new DatasetError(path, line, 'missing TAB: a test case is "prefix ids<TAB>label id"');
    }
    const prefixStart = total;
    total += parser.parseIds(start, tab, line, 'prefix');
    const labels = parser.parseIds(tab + 1, end, line, 'label');
    if (labels !== 1) throw new DatasetError(path, line, `the label must be one item id, found ${labels}`);
    total += labels;
    bounds.push(prefixStart);
  });
  bounds.push(total);
  const ids = parser.result().ids.slice(0, total);
  const cases = new Array<SessionCase>(bounds.length - 1);
  for (let c = 0; c < cases.length; c++) {
    const labelAt = bounds[c + 1] - 1;
    cases[c] = { prefix: ids.subarray(bounds[c], labelAt), label: ids[labelAt] };
  }
  return { cases, maxId: parser.maxId };
}

/** vocab.txt: exactly V lines, each a non-empty id that no other line repeats (CRLF tolerated). */
function readVocabulary(path: string, numItems: number): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readBytes(path));
  } catch (cause) {
    if (cause instanceof DatasetError) throw cause;
    throw new DatasetError(path, undefined, 'not valid UTF-8', { cause });
  }
  const ids = text.split('\n');
  if (ids[ids.length - 1] === '') ids.pop();
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!.endsWith('\r') ? ids[i]!.slice(0, -1) : ids[i]!;
    ids[i] = id;
    if (id === '') throw new DatasetError(path, i + 1, 'empty item id');
    const first = seen.get(id);
    if (first !== undefined)
      throw new DatasetError(path, i + 1, `item id ${JSON.stringify(id)} already on line ${first}`);
    seen.set(id, i + 1);
  }
  if (ids.length !== numItems)
    throw new DatasetError(path, undefined, `${ids.length} item ids, the dataset has ${numItems} items`);
  return ids;
}

/** External id of internal index i: vocab.txt's line i + 1, else the dataset id i + 1 (bundles' range). */
export function datasetItemId(dataset: Pick<Dataset, 'vocabulary'>): (index: number) => string {
  const { vocabulary } = dataset;
  return vocabulary ? (i) => vocabulary[i]! : (i) => String(i + 1);
}

/** Reads and validates a dataset folder; throws DatasetError naming file and line on malformed input. */
export function readDataset(dir: string): Dataset {
  const meta = readMeta(dir);
  const idLimit = meta.numItems ?? MAX_ID;
  const train = readTrain(join(dir, 'train.txt'), idLimit);
  const test = readTest(join(dir, 'test.txt'), idLimit);
  const numItems = meta.numItems ?? Math.max(train.maxId, test.maxId);
  const vocabPath = join(dir, 'vocab.txt');
  return {
    name: meta.name ?? basename(resolve(dir)),
    numItems,
    trainSessions: train.sessions,
    testCases: test.cases,
    ...(existsSync(vocabPath) ? { vocabulary: readVocabulary(vocabPath, numItems) } : {}),
  };
}
