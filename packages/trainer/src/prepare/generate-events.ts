// `tsx packages/trainer/src/prepare/generate-events.ts --out events.csv [--events 1000000] [--users 100000]
// [--items 50000] [--days 30] [--seed 1] [--time epoch-s|iso]`: writes a synthetic click log (for timing
// `pnpm train prepare`; see synthetic-events.ts).
import { parseArgs } from 'node:util';
import { num } from '../flags.ts';
import { writeSyntheticEvents } from './synthetic-events.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    events: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '100000' },
    items: { type: 'string', default: '50000' },
    days: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    time: { type: 'string', default: 'epoch-s' },
  },
});
if (!values.out) throw new Error('--out <file.csv> is required');
if (values.time !== 'epoch-s' && values.time !== 'iso') throw new Error('--time must be epoch-s or iso');
const t0 = performance.now();
const sessions = writeSyntheticEvents(values.out, {
  events: num(values.events, 'events', { integer: true, min: 1 }),
  users: num(values.users, 'users', { integer: true, min: 1 }),
  items: num(values.items, 'items', { integer: true, min: 1 }),
  days: num(values.days, 'days', { min: 0 }),
  seed: num(values.seed, 'seed', { integer: true, min: 0 }),
  time: values.time,
});
process.stderr.write(
  `wrote ${values.out}: ${values.events} events, ${sessions} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
);
