// Malformed dataset input: the message starts with `file:line:` so that an editor can jump to it.

export class DatasetError extends Error {
  readonly file: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line?: number;

  constructor(file: string, line: number | undefined, problem: string, options?: { cause?: unknown }) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, options);
    this.name = 'DatasetError';
    this.file = file;
    if (line !== undefined) this.line = line;
  }
}
