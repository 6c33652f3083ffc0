// tfjs registers variables by name in one global registry, so two models in one process (teacher and
// student during distillation, or a resumed copy in a test) must not share names. Checkpoints therefore
// identify weights by their order in model.variables(), never by these names.
let counter = 0;

export function uniqueVariableName(name: string): string {
  return `${name}#${++counter}`;
}
