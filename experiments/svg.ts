// Minimal dependency-free SVG charts for the student experiments (bars, lines, heatmap).
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];

function frame(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>\n${body}</svg>\n`
  );
}

/** Grouped bars: one group per category, one bar per series. */
export function groupedBars(
  title: string,
  categories: string[],
  series: { name: string; values: number[] }[],
  yLabel: string,
): string {
  const W = Math.max(480, 90 * categories.length + 120);
  const H = 340;
  const left = 50;
  const top = 40;
  const plotW = W - left - 20;
  const plotH = H - top - 70;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const yMax = niceCeil(max);
  const groupW = plotW / categories.length;
  const barW = (groupW * 0.8) / series.length;
  let body = axes(left, top, plotW, plotH, yMax, yLabel);
  categories.forEach((c, ci) => {
    series.forEach((s, si) => {
      const v = s.values[ci]!;
      if (!Number.isFinite(v)) return;
      const h = (v / yMax) * plotH;
      const x = left + ci * groupW + groupW * 0.1 + si * barW;
      body += `<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${c} ${s.name}: ${v.toFixed(2)}`)}</title></rect>\n`;
      body += `<text x="${(x + barW / 2).toFixed(1)}" y="${(top + plotH - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${v.toFixed(1)}</text>\n`;
    });
    body += `<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 15}" text-anchor="middle">${esc(c)}</text>\n`;
  });
  body += legend(
    series.map((s) => s.name),
    left,
    H - 25,
  );
  return frame(W, H, title, body);
}

/** Lines over a numeric x axis (e.g. metric vs compression ratio, one line per M). */
export function lines(
  title: string,
  series: { name: string; points: [number, number][] }[],
  xLabel: string,
  yLabel: string,
): string {
  const W = 560;
  const H = 360;
  const left = 50;
  const top = 40;
  const plotW = W - left - 20;
  const plotH = H - top - 80;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = niceCeil(Math.max(1, ...xs));
  const yMin = Math.floor(Math.min(...ys, Infinity) * 0.95) || 0;
  const yMax = niceCeil(Math.max(1e-9, ...ys));
  const X = (x: number) => left + (x / xMax) * plotW;
  const Y = (y: number) => top + plotH - ((y - yMin) / Math.max(1e-9, yMax - yMin)) * plotH;
  let body = `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>\n`;
  for (let i = 0; i <= 4; i++) {
    const yv = yMin + ((yMax - yMin) * i) / 4;
    const xv = (xMax * i) / 4;
    body += `<text x="${left - 4}" y="${Y(yv) + 3}" text-anchor="end">${yv.toFixed(1)}</text><text x="${X(xv)}" y="${top + plotH + 14}" text-anchor="middle">${xv.toFixed(0)}</text>\n`;
  }
  body += `<text x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle">${esc(xLabel)}</text><text x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>\n`;
  series.forEach((s, si) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const color = PALETTE[si % PALETTE.length];
    body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>\n`;
    for (const [x, y] of pts)
      body += `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}: ratio ${x.toFixed(0)}, ${y.toFixed(2)}`)}</title></circle>\n`;
  });
  body += legend(
    series.map((s) => s.name),
    left,
    H - 25,
  );
  return frame(W, H, title, body);
}

/** Heatmap of a rows × cols count matrix (Fig. 6: codebooks × codewords). */
export function heatmap(title: string, matrix: number[][], rowLabel: (r: number) => string): string {
  const rows = matrix.length;
  const cols = Math.max(...matrix.map((r) => r.length));
  const cell = Math.max(6, Math.min(22, Math.floor(700 / cols)));
  const left = 90;
  const top = 40;
  const W = left + cols * cell + 20;
  const H = top + rows * cell + 60;
  const all = matrix.flat();
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  let body = '';
  matrix.forEach((row, r) => {
    body += `<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${esc(rowLabel(r))}</text>\n`;
    row.forEach((v, c) => {
      const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const shade = Math.round(235 - t * 190);
      body += `<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${shade},${Math.round(shade * 0.9)},255)"><title>codebook ${r + 1}, codeword ${c}: ${v} items</title></rect>\n`;
    });
  });
  body += `<text x="${left}" y="${top + rows * cell + 20}">items per codeword: min ${lo}, max ${hi} (light = fewer, dark = more)</text>\n`;
  return frame(W, H, title, body);
}

function axes(left: number, top: number, w: number, h: number, yMax: number, yLabel: string): string {
  let s = `<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" stroke="black"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" stroke="black"/>\n`;
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = top + h - (h * i) / 4;
    s += `<text x="${left - 4}" y="${y + 3}" text-anchor="end">${v.toFixed(0)}</text><line x1="${left}" y1="${y}" x2="${left + w}" y2="${y}" stroke="#eee"/>\n`;
  }
  s += `<text x="12" y="${top + h / 2}" transform="rotate(-90 12 ${top + h / 2})" text-anchor="middle">${esc(yLabel)}</text>\n`;
  return s;
}

function legend(names: string[], x: number, y: number): string {
  return names
    .map(
      (n, i) =>
        `<rect x="${x + i * 130}" y="${y - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + i * 130 + 14}" y="${y}">${esc(n)}</text>`,
    )
    .join('\n');
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
