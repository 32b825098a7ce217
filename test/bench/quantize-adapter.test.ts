/** Rows read from bench:quantize's printed report (its layout as of this writing). */
import { expect, it } from 'vitest';
import { quantizeFromText } from '../../bench/suite/quantize-adapter.js';

const OUT = `model: Fashion-MNIST CNN (examples/fashion-mnist/model.onnx)

latency on onnxruntime-node (1 thread)     FP32                               INT8                               FP32/INT8 (min / median)
  batch 1                                   min 0.085 ms, median 0.088 ms      min 0.094 ms, median 0.097 ms      0.91× / 0.91×
  batch 64                                  min 8.400 ms, median 9.364 ms      min 5.127 ms, median 10.091 ms     1.64× / 0.93×

PTQ over 1000 calibration samples (range init + BN adaptation + export): min 914.033 ms, median 1105.097 ms
plain FP32 inference over the same 1000 samples (ORT, batch 32):          min 73.198 ms, median 129.887 ms
`;

it('reads latency pairs, ratios and PTQ wall time', () => {
  const r = quantizeFromText(OUT)!;
  expect(r.rows.map((x) => x.metric)).toEqual([
    'Fashion-MNIST CNN: ORT FP32 latency, batch 1',
    'Fashion-MNIST CNN: ORT INT8 latency, batch 1',
    'Fashion-MNIST CNN: ORT FP32 / INT8 time, batch 1',
    'Fashion-MNIST CNN: ORT FP32 latency, batch 64',
    'Fashion-MNIST CNN: ORT INT8 latency, batch 64',
    'Fashion-MNIST CNN: ORT FP32 / INT8 time, batch 64',
    'Fashion-MNIST CNN: PTQ wall time (1000 calibration samples)',
    'Fashion-MNIST CNN: PTQ / one FP32 pass over them',
  ]);
  expect(r.rows[4]).toMatchObject({ min: 5.127, median: 10.091, unit: 'ms' });
  expect(r.rows[5].min).toBeCloseTo(8.4 / 5.127, 9);
  expect(r.rows[5].median).toBeCloseTo(9.364 / 10.091, 9);
  expect(r.rows[6]).toMatchObject({ min: 914.033, median: 1105.097 });
  expect(quantizeFromText('nothing')).toBeNull();
});
