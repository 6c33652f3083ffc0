// Issue 20's data: a dataset's time-ordered training sessions cut at --fraction into the stale model's part
// and the refresh period, written as three dataset folders under <out> (vocab.txt = the source's ids, so
// that every bundle names items alike): stale/ (the earlier sessions), new-period/ (the refresh period
// only), all/ (every session: the previous data plus the new period). Each keeps the source's name, so
// that the trainers pick the source's per-dataset defaults (model/dataset-defaults.ts). Prints one JSON
// line: the folders' sizes and what the period brings (countNewItems: new items, their clicks, the test
// labels they are). --count-only: the counts, no folders.
//
//   npx tsx experiments/refresh-split.ts --dataset ../shared/datasets/tmall --out runs/refresh/tmall/data [--fraction 0.9]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { countNewItems, readDataset, splitByTime, writePeriodDataset } from '@session-rec/trainer/data';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    out: { type: 'string' },
    fraction: { type: 'string', default: '0.9' },
    'count-only': { type: 'boolean', default: false },
  },
});
if (!values.dataset || !values.out) {
  process.stderr.write(
    'usage: refresh-split.ts --dataset <dir> --out <dir> [--fraction 0.9] [--count-only]\n',
  );
  process.exit(2);
}
const t0 = performance.now();
const source = readDataset(resolve(values.dataset));
const fraction = Number(values.fraction);
const { earlier, recent } = splitByTime(source.trainSessions, fraction);
const counts = countNewItems(earlier, recent, source.testCases, source.numItems);
const out = resolve(values.out);
const folders = values['count-only']
  ? null
  : {
      stale: writePeriodDataset(join(out, 'stale'), source.name, source, earlier),
      newPeriod: writePeriodDataset(join(out, 'new-period'), source.name, source, recent),
      all: writePeriodDataset(join(out, 'all'), source.name, source, source.trainSessions),
    };
process.stdout.write(
  JSON.stringify({
    dataset: source.name,
    fraction,
    sessions: { earlier: earlier.length, recent: recent.length },
    ...counts,
    folders,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  }) + '\n',
);
