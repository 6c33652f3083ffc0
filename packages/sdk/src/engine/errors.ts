// Typed errors of the CPU engine. Each names the culprit (kind, tensor, hyper-parameter) and carries a
// stable `code` so that callers can branch without parsing messages.

export class CpuEngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The bundle's kind has no item table in the registry. */
export class UnknownModelKindError extends CpuEngineError {
  constructor(
    readonly kind: string,
    known: readonly string[],
  ) {
    super('unknown-kind', `no CPU item table for model kind "${kind}" (known: ${known.join(', ')})`);
  }
}

/** A tensor the forward pass needs is missing or has the wrong dtype/shape. */
export class ModelTensorError extends CpuEngineError {
  constructor(
    readonly tensor: string,
    problem: string,
  ) {
    super('tensor', `tensor "${tensor}": ${problem}`);
  }
}

/** A hyper-parameter is missing or inconsistent with the tensors. */
export class ModelHyperError extends CpuEngineError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('hyper', `hyper-parameter "${field}": ${problem}`);
  }
}

/** The engine was used after dispose(). */
export class EngineDisposedError extends CpuEngineError {
  constructor() {
    super('disposed', 'the CPU engine was disposed');
  }
}
