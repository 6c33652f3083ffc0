// KD keeps a teacher and a student alive in one process, but tfjs variable names must be unique
// engine-wide and the backbone / full table register fixed names ("pos", "items", …). This moves a
// model's variables under a prefix so a second model can be built. No-op for already-unique names.
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
