/** onnxruntime could not load or run a model, or the feeds do not fit it; the message says what and where. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/** The first line of an onnxruntime error message (they can span several lines). */
export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}
