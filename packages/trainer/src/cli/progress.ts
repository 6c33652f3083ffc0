// A progress line on stderr every 2 s (stdout stays machine-readable): "<label>: done/total cases, ETA".
export function progressPrinter(label: string): (done: number, total: number) => void {
  const start = performance.now();
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 2000 && done < total) return;
    last = now;
    const elapsed = (now - start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : 0;
    process.stderr.write(
      `${label}: ${done}/${total} cases (${((100 * done) / total).toFixed(1)}%), ${elapsed.toFixed(0)} s, ETA ${eta.toFixed(0)} s\n`,
    );
  };
}
