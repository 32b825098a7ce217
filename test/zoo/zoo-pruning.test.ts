/**
 * Issue 14 acceptance: FLOPs / parameters / filters before and after filter_pruning on the PyTorch
 * exports of torchvision ResNet-18 and MobileNetV2 (`npm run get-models`; skipped without them), as
 * NNCF counts them (conv and linear layers only; FLOPs = 2·MACs at batch 1; biases and BN not counted).
 *
 * ResNet-18, by hand. Full: 2 × 1,814,073,344 MACs = 3,628,146,688 FLOPs; parameters 11,689,512 − fc
 * bias 1,000 − BN γ/β 2·4,800 = 11,678,912; filters 4,800 conv + 1,000 fc = 5,800. With the defaults
 * (first conv and stride-2 convs not pruned) the groups are the first 3×3 conv of the 5 stride-1 basic
 * blocks whose input is not downsampled (layer1.0, layer1.1, layer2.1, layer3.1, layer4.1): every
 * other conv sits in a residual chain that reaches the stem or a stride-2 downsample. Pruning p of the C
 * filters of such a conv1 at S×S removes 9·C·p weights and 2·9·C·p·S² FLOPs from it and the same from
 * the block's conv2 (its input channels): 18·C·p parameters, 36·C·p·S² FLOPs.
 *  - pruning_target 0.4: C − p rounded up to a multiple of 8 → p = 24, 24 (C 64, S 56), 48 (128, 28),
 *    96 (256, 14), 200 (512, 7): −392 filters, −2,451,456 parameters, −874,266,624 FLOPs.
 *  - pruning_flops_target 0.3 (≥ 1,088,444,007 FLOPs off): level 0.4 is short of it; the bisection ends
 *    where the rounded counts are level 0.5's, p = 32, 32, 64, 128, 256: −512 filters, −3,170,304
 *    parameters, −1,156,055,040 FLOPs (31.86 %). (Between 0.4 and 0.5 the counts are 24, 24, 56, 112,
 *    224 at most: −953,745,408 FLOPs, still short.)
 * MobileNetV2 full: 2 × 300,774,272 MACs; 3,504,872 parameters − classifier bias 1,000 − BN γ/β
 * 2·17,056 = 3,469,760; pruned: only the achieved shares are checked (20 groups).
 * Export: on both BN-kept exports (BN parameters behind Identity) the physically smaller ONNX equals the
 * masked-zeros export (--keep-shape) on ORT within 1e-4 (measured ≤ 1e-6).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { OrtSession } from '../../src/runtime/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { randomImages, ZOO_DIR } from '../../bench/zoo/zoo.js';

const path = (model: string, style: string) => `${ZOO_DIR}/${model}-${style}-dyn.onnx`;
const have = existsSync(path('resnet18', 'bn')) && existsSync(path('mobilenet_v2', 'bn'));
if (!have) console.log(`zoo pruning tests skipped: ${path('resnet18', 'bn')} absent (npm run get-models)`);

async function counts(file: string, params: object) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 224, 224] }, compression: { algorithm: 'filter_pruning', params: { schedule: 'baseline', ...params } } });
  const r = await createCompressedModel(await loadOnnxModel(file), config);
  const c = r.controller as FilterPruningController;
  c.scheduler.epochStep();
  const s = c.statistics().values as Record<string, number>;
  const out = { groups: c.groups.map((g) => g.members.map((m) => m.node.name)), s };
  r.controller.dispose();
  return out;
}

const R18 = { flops: 3_628_146_688, params: 11_678_912, filters: 5_800 };
const conv1 = (C: number, S: number, p: number) => ({ flops: 36 * C * p * S * S, params: 18 * C * p, filters: p });
const minus = (parts: ReturnType<typeof conv1>[]) => ({
  flops: R18.flops - parts.reduce((a, x) => a + x.flops, 0),
  params: R18.params - parts.reduce((a, x) => a + x.params, 0),
  filters: R18.filters - parts.reduce((a, x) => a + x.filters, 0),
});

describe.skipIf(!have)('zoo: filter_pruning counts on torchvision exports', () => {
  for (const style of ['bn', 'folded'])
    it(`resnet18 (${style}): pruning_target 0.4 and pruning_flops_target 0.3 as derived by hand`, async () => {
      const a = await counts(path('resnet18', style), { pruning_target: 0.4 });
      expect(a.groups).toHaveLength(5);
      expect(a.groups.every((g) => g.length === 1 && /layer[1-4]\.[01]\/conv1\/Conv$/.test(g[0]))).toBe(true);
      expect([a.s.full_flops, a.s.full_params_num, a.s.full_filters_num]).toEqual([R18.flops, R18.params, R18.filters]);
      const t04 = minus([conv1(64, 56, 24), conv1(64, 56, 24), conv1(128, 28, 48), conv1(256, 14, 96), conv1(512, 7, 200)]);
      expect([a.s.current_flops, a.s.current_params_num, a.s.current_filters_num]).toEqual([t04.flops, t04.params, t04.filters]);
      expect([t04.flops, t04.params, t04.filters]).toEqual([2_753_880_064, 9_227_456, 5_408]);
      const b = await counts(path('resnet18', style), { pruning_flops_target: 0.3 });
      const f03 = minus([conv1(64, 56, 32), conv1(64, 56, 32), conv1(128, 28, 64), conv1(256, 14, 128), conv1(512, 7, 256)]);
      expect([b.s.current_flops, b.s.current_params_num, b.s.current_filters_num]).toEqual([f03.flops, f03.params, f03.filters]);
      expect(b.s.flops_pruning_level).toBeCloseTo(1_156_055_040 / R18.flops, 12);
      // the level below (0.4 < L < 0.5: 24, 24, 56, 112, 224) misses the target
      const short = minus([conv1(64, 56, 24), conv1(64, 56, 24), conv1(128, 28, 56), conv1(256, 14, 112), conv1(512, 7, 224)]);
      expect(1 - short.flops / R18.flops).toBeLessThan(0.3);
    }, 300_000);

  it('mobilenet_v2 (bn): full counts as derived by hand; both targets reached', async () => {
    const a = await counts(path('mobilenet_v2', 'bn'), { pruning_target: 0.4 });
    expect([a.s.full_flops, a.s.full_params_num]).toEqual([2 * 300_774_272, 3_469_760]);
    expect(a.groups).toHaveLength(20);
    expect(a.s.current_filters_num).toBeLessThan(a.s.full_filters_num);
    const b = await counts(path('mobilenet_v2', 'bn'), { pruning_flops_target: 0.3 });
    expect(b.s.flops_pruning_level).toBeGreaterThanOrEqual(0.3);
    expect(b.s.flops_pruning_level).toBeLessThan(0.35);
    console.log(`mobilenet_v2: 0.4 → ${a.s.current_flops} FLOPs, ${a.s.current_params_num} params, ${a.s.current_filters_num} filters; flops 0.3 → ${b.s.current_flops}, ${b.s.current_params_num}, ${b.s.current_filters_num}`);
  }, 300_000);

  for (const model of ['resnet18', 'mobilenet_v2'])
    it(`${model} (bn, PyTorch PRESERVE export): the physically smaller ONNX = the masked model on ORT (1e-4)`, async () => {
      const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 224, 224] }, compression: { algorithm: 'filter_pruning', params: { schedule: 'baseline', pruning_target: 0.4 } } });
      const r = await createCompressedModel(await loadOnnxModel(path(model, 'bn')), config);
      const c = r.controller as FilterPruningController;
      c.scheduler.epochStep();
      const small = exportCompressedModelBytes(r);
      c.keepShape = true;
      const masked = exportCompressedModelBytes(r);
      r.controller.dispose();
      const x = randomImages(1, 5);
      const run = async (bytes: Uint8Array) => {
        const s = await OrtSession.create(bytes);
        const input = s.inputNames?.[0] ?? 'input';
        const out = Object.values(await s.run({ [input]: x }))[0].data as Float32Array;
        await s.release();
        return out;
      };
      const [a, b] = [await run(small), await run(masked)];
      let diff = 0, range = 0;
      b.forEach((v, i) => ((diff = Math.max(diff, Math.abs(a[i] - v))), (range = Math.max(range, Math.abs(v)))));
      console.log(`${model}: ${masked.length} → ${small.length} bytes, max |smaller − masked| ${diff.toExponential(2)} of range ${range.toFixed(3)}`);
      expect(small.length).toBeLessThan(0.9 * masked.length);
      expect(diff).toBeLessThan(1e-4);
    }, 300_000);
});
