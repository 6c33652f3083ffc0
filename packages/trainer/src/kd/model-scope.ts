// KD keeps a teacher and a student alive in one process; tfjs variable names must be unique engine-wide.
// The backbone / full table now make their names unique themselves (uniqueVariableName); this still
// moves a model's variables under a readable prefix ("teacher/…") for debugging and error messages.
// Checkpoints do not depend on these names (train-student.ts names variables by model structure).
import * as tf from '@tensorflow/tfjs-core';

export function prefixVariableNames(variables: tf.Variable[], prefix: string): void {
  const registry = tf.engine().registeredVariables;
  for (const v of variables) {
    if (v.name.startsWith(prefix)) continue;
    if (registry[v.name] === v) delete registry[v.name];
    const renamed = `${prefix}${v.name}`;
    (v as { name: string }).name = renamed;
    registry[renamed] = v;
  }
}
