/**
 * `threesigma`: median ± 3·1.4826230·MAD over all collected values (per channel), as NNCF's
 * MedianAbsoluteDeviationAggregator: the median ignores values with |x| < float32 eps (an all-masked
 * channel gives 0, like torch's nan_to_num); MAD = median(|x − median|) over all values.
 */
import { median } from './quantile.js';
import { RawValueCollector } from './raw-value-collector.js';

/** Normal-distribution consistency factor NNCF uses (1.4826230). */
export const MAD_TO_SIGMA = 1.482623;
/** torch.finfo(torch.float32).eps */
export const FLOAT32_EPS = 2 ** -23;

export function medianAndMad(values: Float32Array): { median: number; mad: number } {
  const unmasked = values.filter((v) => Math.abs(v) >= FLOAT32_EPS);
  const med = unmasked.length ? median(unmasked) : 0;
  // torch computes |x - median| in float32
  const m32 = Math.fround(med);
  const dev = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - m32);
  return { median: med, mad: median(dev) };
}

export class MedianMadCollector extends RawValueCollector {
  protected channelRange(values: Float32Array): [number, number] {
    const { median: m, mad } = medianAndMad(values);
    return [m - 3 * MAD_TO_SIGMA * mad, m + 3 * MAD_TO_SIGMA * mad];
  }
}
