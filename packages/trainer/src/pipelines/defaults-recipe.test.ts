// The README's commands with no schedule flag resolve to the recipe the shipped bundles were trained with
// (their manifests' info.command, parsed by the same commander options); another dataset gets the neutral
// row and says so; a flag given still wins.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerStudentCommand } from '../cli/commands/student.ts';
import { registerTeacherCommand } from '../cli/commands/teacher.ts';
import { describeDefaults } from '../model/dataset-defaults.ts';
import { resolveStudentDefaults, studentConfig, type StudentFlags } from './student.ts';
import { resolveTeacherDefaults, teacherConfig, type TeacherFlags } from './teacher.ts';

const MODELS = resolve(__dirname, '../../../../apps/demo-shop/public/models');
const manifestInfo = (bundle: string) =>
  (
    JSON.parse(readFileSync(resolve(MODELS, bundle, 'manifest.json'), 'utf8')) as {
      info: { command: string };
    }
  ).info;

/** The flags commander hands a command's action for `args` (the action replaced: nothing runs). */
function parse<F>(register: (p: Command) => void, name: string, args: string[]): F {
  const program = new Command('train').exitOverride();
  register(program);
  let flags: F | undefined;
  program.commands.find((c) => c.name() === name)!.action((f: F) => void (flags = f));
  program.parse(['node', 'train', name, ...args]);
  return flags!;
}
/** A shipped `pnpm train <name> …` command line as argv (its paths don't matter here). */
const argv = (command: string, name: string) =>
  command.split(/\s+/).slice(command.split(/\s+/).indexOf(name) + 1);

const facts = { tmall: { numItems: 40727, dim: 128 }, retailrocket: { numItems: 36968, dim: 256 } };
const schedule = (c: ReturnType<typeof resolveStudentDefaults>['config']) => ({
  M: c.M,
  K: c.K,
  pretrainEpochs: c.pretrainEpochs,
  kdEpochs: c.kdEpochs,
  pretrainMaxMinutes: c.pretrainMaxMinutes,
  maxMinutes: c.maxMinutes,
  etaAnneal: c.etaAnneal,
  validLimit: c.validLimit,
  checkpointEveryMinutes: c.checkpointEveryMinutes,
  codeInit: c.codeInit,
  eta: c.eta,
  beta: c.beta,
  lr: c.lr,
  negatives: c.negatives,
  positionsPerBatch: c.positionsPerBatch,
});
const student = (dataset: string, args: string[], f = facts.tmall) =>
  resolveStudentDefaults(
    studentConfig(parse<StudentFlags>(registerStudentCommand, 'student', args)),
    dataset,
    f,
  );

describe('defaults that work: the shipped recipe without flags', () => {
  it('tmall student: the README command equals the shipped tmall-compositional command', () => {
    const readme = student('tmall', ['--dataset', 'x']);
    const shipped = student('tmall', argv(manifestInfo('tmall-compositional').command, 'student'));
    expect(schedule(readme.config)).toEqual(schedule(shipped.config));
    expect(readme.config.etaAnneal).toBe(0.6);
    expect(readme.defaults.row).toBe('tmall');
    expect(readme.defaults.applied.map((a) => a.flag)).toContain('--pretrain-minutes');
  });

  it('retailrocket student: the shipped stage-1-only schedule, its three resumed runs summed', () => {
    const readme = student('retailrocket', ['--dataset', 'x'], facts.retailrocket);
    const shippedArgs = argv(manifestInfo('retailrocket-compositional').command, 'student');
    // shipped as the last of three resumed runs (35 + 95 + 20 minutes, results/student/run-experiments.sh)
    const total = shippedArgs.map((a, i) => (shippedArgs[i - 1] === '--max-minutes' ? '150' : a));
    const shipped = student('retailrocket', total, facts.retailrocket);
    expect(schedule(readme.config)).toEqual(schedule(shipped.config));
    expect([readme.config.M, readme.config.K, readme.config.kdEpochs]).toEqual([3, 256, 0]);
  });

  it('teacher: the README command equals the shipped teachers’ schedules', () => {
    for (const dataset of ['tmall', 'retailrocket']) {
      const pick = (args: string[]) => {
        const c = resolveTeacherDefaults(
          teacherConfig(parse<TeacherFlags>(registerTeacherCommand, 'teacher', args)),
          dataset,
        ).config;
        return {
          lr: c.lr,
          negatives: c.negatives,
          batch: c.positionsPerBatch,
          epochs: c.epochs,
          seed: c.seed,
        };
      };
      const shipped = argv(manifestInfo(`${dataset}-teacher`).command, 'teacher');
      expect(pick(['--dataset', 'x'])).toEqual(pick(shipped));
    }
  });

  it('an unknown dataset gets the neutral row, derived K, and a line saying so', () => {
    const r = student('myshop', ['--dataset', 'x'], { numItems: 40727, dim: 128 });
    expect(r.defaults.row).toBe('neutral');
    expect(r.config.eta).not.toBe(student('tmall', ['--dataset', 'x']).config.eta);
    expect(r.config.K).toBe(32); // derived: the Eq.-11 floor on this catalogue
    const line = describeDefaults('student', r.defaults);
    expect(line).toMatch(/dataset "myshop" \(neutral row\)/);
    expect(line).toMatch(/not one of the shipped datasets/);
    expect(line).toContain('--K 32');
  });

  it('explicit flags override, and constant η is one flag away', () => {
    const r = student('tmall', ['--dataset', 'x', '--M', '2', '--epochs', '3', '--no-eta-anneal']);
    expect([r.config.M, r.config.K, r.config.kdEpochs, r.config.etaAnneal]).toEqual([2, 32, 3, undefined]);
    expect(r.defaults.applied.map((a) => a.flag)).not.toContain('--M');
    expect(student('tmall', ['--dataset', 'x', '--eta-anneal', '0']).config.etaAnneal).toBeUndefined();
    expect(student('tmall', ['--dataset', 'x', '--eta-anneal']).config.etaAnneal).toBe(1);
    expect(() => student('tmall', ['--dataset', 'x', '--eta-anneal', '2'])).toThrow(/^--eta-anneal: /);
  });
});
