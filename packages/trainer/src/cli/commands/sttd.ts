// `pnpm train sttd`: the OD-Rec baseline (semi-tensor-product tensor train, EODRec Eq. 4–8). The runner is
// shared with TT-Rec (./tt.ts): same backbone, same distillation, only the item table differs.
import type { Command } from 'commander';
import { registerTensorTrainCommand } from './tt.ts';

export function registerSttdCommand(program: Command): void {
  registerTensorTrainCommand(program, 'sttd');
}
