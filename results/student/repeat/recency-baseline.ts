// A model-free reference for the repeat analysis (README.md here): rank the items of the session itself
// first, most recently clicked first, then every other item by training popularity. All-item ranking of
// the protocol (last 50 items of each prefix), same metrics as `pnpm eval`.
//
//   npx tsx results/student/repeat/recency-baseline.ts ../shared/datasets/tmall
import { resolve } from 'node:path';
import { popularityCounts, readDataset } from '@session-rec/trainer/data';
import { metricsFromRanks } from '@session-rec/trainer/eval';

const dir = process.argv[2];
if (!dir) throw new Error('usage: recency-baseline.ts <dataset dir>');
const data = readDataset(resolve(dir));
const counts = popularityCounts(data.trainSessions, data.numItems);
// Position of every item in the popularity order (most clicked first, ties by index).
const order = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
const popPosition = new Int32Array(data.numItems);
order.forEach((item, position) => (popPosition[item] = position));

const ranks = new Int32Array(data.testCases.length);
data.testCases.forEach(({ prefix, label }, c) => {
  const recent: number[] = []; // distinct items of the last 50, most recent first
  for (let t = prefix.length - 1; t >= Math.max(0, prefix.length - 50); t--)
    if (!recent.includes(prefix[t]!)) recent.push(prefix[t]!);
  const inSession = recent.indexOf(label);
  if (inSession >= 0) ranks[c] = inSession + 1;
  else {
    const ahead = recent.filter((i) => popPosition[i]! < popPosition[label]!).length;
    ranks[c] = recent.length + popPosition[label]! - ahead + 1;
  }
});
// The same split as `pnpm eval --by-repeat`: label already in the (whole) prefix or not.
const isRepeat = data.testCases.map(({ prefix, label }) => prefix.includes(label));
const round = (m: Record<string, number>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k === 'cases' ? v : Number(v.toFixed(4))]));
console.log(
  JSON.stringify({
    ...round(metricsFromRanks(ranks)),
    repeat: round(metricsFromRanks(ranks.filter((_, c) => isRepeat[c]))),
    newItem: round(metricsFromRanks(ranks.filter((_, c) => !isRepeat[c]))),
  }),
);
