// A click log the prepare step cannot use: the message names the file and, where there is one, the row
// (1-based, the header not counted; a CSV's line number is row + 1) and the column.

export class EventLogError extends Error {
  readonly file: string;
  readonly row?: number;
  readonly column?: string;

  constructor(file: string, problem: string, where: { row?: number; column?: string; csv?: boolean } = {}) {
    const at = [
      where.row === undefined ? '' : `row ${where.row}${where.csv ? ` (line ${where.row + 1})` : ''}`,
      where.column === undefined ? '' : `column "${where.column}"`,
    ]
      .filter(Boolean)
      .join(', ');
    super(`${file}: ${at ? `${at}: ` : ''}${problem}`);
    this.name = 'EventLogError';
    this.file = file;
    if (where.row !== undefined) this.row = where.row;
    if (where.column !== undefined) this.column = where.column;
  }
}
