/** Thrown when a Graph cannot be compiled into a training graph (a missing rule, an unsupported attribute). */
export class AutodiffError extends Error {
  override name = 'AutodiffError';
}

/** Ops on the path from the parameters to the loss that have no gradient rule (all of them, one node each). */
export class MissingGradientRuleError extends AutodiffError {
  override name = 'MissingGradientRuleError';
  readonly opType: string;
  readonly nodeName: string;
  constructor(readonly missing: { opType: string; nodeName: string; hint?: string }[]) {
    const list = missing.map(
      (m) => `${m.opType} (node "${m.nodeName}")${m.hint ? ` — did you mean ${m.hint}?` : ''}`,
    );
    super(
      `no gradient rule for op ${list.join(', ')}: the ORT training graph cannot be built for this model`,
    );
    this.opType = missing[0].opType;
    this.nodeName = missing[0].nodeName;
  }
}
