/** A bad argument or an unreadable input file: the CLI prints one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
