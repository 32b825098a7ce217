/** Rows read from bench:engine's and bench:train's printed tables (their output as of this writing). */
import { describe, expect, it } from 'vitest';
import { engineFromText, trainFromText } from '../../bench/suite/text-adapters.js';

const ENGINE = `images/s (best = from the min time, median = from the median time):
  what                  backend        batch    ms min  ms median  img/s best  img/s median
  engine forward        wasm              64     142.5      306.8       449.2         208.6
  engine train step     wasm              64     794.0      838.7        80.6          76.3
  tfjs ops forward      wasm              64     130.9      207.0       488.8         309.2
  onnxruntime forward   ort 1 thread      64      16.3       25.7      3918.0        2495.1
`;

const TRAIN = `training step time, ResNet-style 16×16, batch 32, wasm, median of 20 steps after 3 warm-up
FP32            107.2 ms/step   ×1.00 of FP32
FP32+KD         125.8 ms/step   ×1.17 of FP32
INT8 QAT       1189.4 ms/step   ×11.09 of FP32
live tensors at the end: 162
`;

describe('engineFromText', () => {
  it('reads engine and ORT forward, their ratio (min/min, median/median) and the train step', () => {
    const r = engineFromText(ENGINE)!;
    expect(r.rows.map((x) => x.metric)).toEqual([
      'ResNet-8 engine forward (wasm), batch 64',
      'ResNet-8 ORT forward (ort 1 thread), batch 64',
      'ResNet-8 engine / ORT forward time',
      'ResNet-8 engine train step (wasm), batch 64',
    ]);
    expect(r.rows[0]).toMatchObject({ min: 142.5, median: 306.8, unit: 'ms' });
    expect(r.rows[2].min).toBeCloseTo(142.5 / 16.3, 9);
    expect(r.rows[2].median).toBeCloseTo(306.8 / 25.7, 9);
    expect(r.rows[3].note).toBe('76.3 img/s (median)');
  });

  it('gives null for an unrecognised layout', () => {
    expect(engineFromText('something else')).toBeNull();
  });
});

describe('trainFromText', () => {
  it('reads ms/step, img/s from the batch, and the ratios to FP32', () => {
    const r = trainFromText(TRAIN)!;
    expect(r.rows[0]).toMatchObject({ metric: 'train step FP32, batch 32', value: 107.2, median: 107.2 });
    expect(r.rows[0].note).toContain(`${((32 * 1000) / 107.2).toFixed(1)} img/s`);
    expect(r.rows.find((x) => x.metric === 'train step INT8 QAT / FP32 time')).toMatchObject({
      value: 11.09,
      unit: '×',
    });
    expect(r.rows).toHaveLength(5);
  });

  it('gives null when nothing matches', () => {
    expect(trainFromText('no table')).toBeNull();
  });
});
