// What can be wrong with an evaluation's inputs before any scoring starts.

export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}
