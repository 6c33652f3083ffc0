// `pnpm train tt` / `sttd` on a generated dataset folder: every flag is checked before anything loads, and
// a short run without a teacher writes its bundle and report under the given paths.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../data/prng.ts';
import { registerSttdCommand } from './sttd.ts';
import { registerTtCommand } from './tt.ts';

const V = 50;
const tmp = mkdtempSync(join(tmpdir(), 'tt-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeDataset(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const random = seededRandom(5);
  const item = () => 1 + Math.floor(random() * V);
  const sessions = Array.from({ length: 80 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 5) }, item),
  );
  writeFileSync(join(dir, 'train.txt'), sessions.map((s) => s.join(' ')).join('\n') + '\n');
  const test = sessions.slice(0, 20).map((s) => `${s.slice(0, -1).join(' ')}\t${s[s.length - 1]}`);
  writeFileSync(join(dir, 'test.txt'), test.join('\n') + '\n');
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'tt-fixture', numItems: V }));
}

async function train(args: string[]): Promise<void> {
  const program = new Command('train').exitOverride();
  registerTtCommand(program);
  registerSttdCommand(program);
  await program.parseAsync(['node', 'train', ...args]);
}

describe('pnpm train tt / sttd', () => {
  const data = join(tmp, 'data');
  writeDataset(data);

  it('checks every flag before the teacher loads', async () => {
    const missing = ['--dataset', data, '--teacher', join(tmp, 'no-such-teacher')];
    await expect(train(['tt', ...missing, '--loss', 'ful'])).rejects.toThrow(
      /^--loss: expected full or sampled/,
    );
    await expect(train(['tt', ...missing, '--size', '20x'])).rejects.toThrow(
      /^--size: expected 30x or equal-bytes/,
    );
    await expect(train(['sttd', ...missing, '--I', '5'])).rejects.toThrow(/^--I: expected two/);
    await expect(train(['tt', ...missing, '--backend', 'cpu'])).rejects.toThrow(/no-such-teacher.*not found/);
  });

  it('a short run without a teacher writes the bundle and the report', async () => {
    const out = join(tmp, 'tt-bundle');
    const report = join(tmp, 'tt-report.json');
    await train([
      'tt',
      ...['--dataset', data, '--no-teacher', '--out', out, '--report', report],
      ...['--checkpoint', join(tmp, 'tt-ckpt'), '--backend', 'cpu', '--no-progress', '--no-cpu-eval'],
      ...['--pretrain-epochs', '1', '--kd-epochs', '0', '--negatives', '8', '--batch-positions', '128'],
      ...['--p', '5,10', '--q', '8,16', '--ranks', '4'],
    ]);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.kind).toBe('tt');
    expect(r.test.cases).toBe(20);
    expect(r.configuration.p).toEqual([5, 10]);
    expect(r.machine.backend).toBe('cpu');
    expect(r.bundle.bytes).toBeGreaterThan(0);
    expect((await readBundleDir(out)).manifest.kind).toBe('tt');
  });
});
