/** A data file or data argument is malformed or does not fit: the message names the file and the problem. */
export class DataError extends Error {
  override name = 'DataError';
}
