// Command-line flag values, shared by every `pnpm train` sub-command and the pipelines' config checks: a bad value names its flag.
export function num(value: string, flag: string, { integer = false, min = -Infinity } = {}): number {
  const v = Number(value);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new RangeError(
      `--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${value}"`,
    );
  }
  return v;
}

/** A comma-separated list of numbers, each checked as `num` checks one. */
export function numList(
  value: string,
  flag: string,
  opts: { integer?: boolean; min?: number } = {},
): number[] {
  return value.split(',').map((x) => num(x.trim(), flag, opts));
}

/** One of `choices`, or a RangeError naming the flag and what it accepts. */
export function oneOf<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    const expected = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
    throw new RangeError(`--${flag}: expected ${expected}, got "${value}"`);
  }
  return found;
}

/** An optional flag: undefined stays undefined, else parsed. */
export function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
