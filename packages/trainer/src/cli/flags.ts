// Numeric command-line flags, shared by every `pnpm train` sub-command: a bad value names its flag.
export function num(value: string, flag: string, { integer = false, min = -Infinity } = {}): number {
  const v = Number(value);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new RangeError(
      `--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${value}"`,
    );
  }
  return v;
}
