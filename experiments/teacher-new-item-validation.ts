// The validation new-item score of a `full` (teacher) bundle, as `pnpm train new-items` reports it for a
// student: the first n validation sessions' new-item cases, ranked among the items outside the session.
// Usage: tsx experiments/teacher-new-item-validation.ts <teacher bundle> <dataset> [n = 2000] [seed = 42]
import { resolve } from 'node:path';
import { readDataset, splitValidation } from '@session-rec/trainer/data';
import { loadTeacherFromBundle } from '@session-rec/trainer/model';
import { evaluateSessions, selectBackend } from '@session-rec/trainer/train';

const [bundle, dataset, n = '2000', seed = '42'] = process.argv.slice(2);
if (!bundle || !dataset)
  throw new Error('usage: teacher-new-item-validation.ts <teacher bundle> <dataset> [n] [seed]');
await selectBackend();
const model = await loadTeacherFromBundle(resolve(bundle));
const split = splitValidation(readDataset(resolve(dataset)).trainSessions, {
  fraction: 0.1,
  seed: Number(seed),
});
const metrics = await evaluateSessions(model, split.valid.slice(0, Number(n)), 512, { newItems: true });
process.stdout.write(JSON.stringify(metrics) + '\n');
