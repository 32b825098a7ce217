/** A training option (config key, CLI flag or API field) with a bad or unsupported value; names the option. */
export class TrainingConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'TrainingConfigError';
  }
}

/** A checkpoint that cannot be read back (missing, truncated, corrupt, or for another model). */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}
