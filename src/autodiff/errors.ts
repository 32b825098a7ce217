/** Thrown when a Graph cannot be compiled into a training graph (a missing rule, an unsupported attribute). */
export class AutodiffError extends Error {
  override name = 'AutodiffError';
}

/** An op on the path from the parameters to the loss has no gradient rule. */
export class MissingGradientRuleError extends AutodiffError {
  override name = 'MissingGradientRuleError';
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    hint?: string,
  ) {
    super(
      `no gradient rule for op ${opType} (node "${nodeName}")${hint ? `; did you mean ${hint}?` : ''}: the ORT training graph cannot be built for this model`,
    );
  }
}
