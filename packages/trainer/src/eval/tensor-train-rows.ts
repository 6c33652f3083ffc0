// How offline evaluation gets the rows of tensor-train bundles (kinds tt and sttd). A device rebuilds
// them from the cores during its first query and keeps them ('cached', the SDK default), or for every
// query ('per-query', EODRec's measure) — but the scores do not depend on when the rows are rebuilt (bit-identical: tensor-train-tables.test.ts), so evaluation
// rebuilds them once per engine by default: 25,898 Tmall catalogue rebuilds took ~1 h per bundle on
// one core; one takes well under a second.
import { registerItemTable } from '@session-rec/sdk/engine/cpu';
import { createSttdTable } from '@session-rec/sdk/engine/cpu/sttd';
import { createTtTable } from '@session-rec/sdk/engine/cpu/tt';

export type TensorTrainRows = 'materialized' | 'per-query';

export const TENSOR_TRAIN_ROWS: readonly TensorTrainRows[] = ['materialized', 'per-query'];

let current: TensorTrainRows | 'cached' = 'cached'; // the SDK registry's own default

/** From now on, CPU engines created in this thread rebuild tt/sttd rows as `rows` says (trainers' validation). */
export function setTensorTrainRows(rows: TensorTrainRows | 'cached'): void {
  current = rows;
  registerItemTable('tt', (bundle) => createTtTable(bundle, { rows }));
  registerItemTable('sttd', (bundle) => createSttdTable(bundle, { rows }));
}

/**
 * `create()` with tt/sttd tables rebuilding their rows as `rows` says; the process-wide setting is
 * restored afterwards.
 */
export function withTensorTrainRows<T>(rows: TensorTrainRows, create: () => T): T {
  const before = current;
  setTensorTrainRows(rows);
  try {
    return create();
  } finally {
    setTensorTrainRows(before);
  }
}
