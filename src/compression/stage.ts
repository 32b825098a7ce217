/** How far compression has progressed, with NNCF's numeric values. */
export enum CompressionStage {
  UNCOMPRESSED = 0,
  PARTIALLY_COMPRESSED = 1,
  FULLY_COMPRESSED = 2,
}

/** NNCF's rule for a composite controller: equal stages keep the stage, any mix is PARTIALLY_COMPRESSED. */
export function combineStages(stages: readonly CompressionStage[]): CompressionStage {
  if (stages.length === 0) return CompressionStage.UNCOMPRESSED;
  const first = stages[0];
  return stages.every((s) => s === first) ? first : CompressionStage.PARTIALLY_COMPRESSED;
}

export function stageName(stage: CompressionStage): string {
  return CompressionStage[stage];
}
