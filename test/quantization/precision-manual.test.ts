/** Manual precision init (`initializer.precision.type: "manual"`, spec/algorithms.md §6.1) on the digits CNN. */
import { beforeAll, describe, expect, it } from 'vitest';
import { applyManualPrecision } from '../../src/algorithms/quantization/precision-manual.js';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController, type CompressionState } from '../../src/api.js';
import { NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import type { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { countOpTypes } from '../../src/runtime/index.js';
import { digitsData, loadDigitsCnn } from './digits-cnn.js';

// No data needed: ranges stay at their constructor values, levels and bits are what is checked.
const noInit = { batchnorm_adaptation: { num_bn_adaptation_samples: 0 }, range: { num_init_samples: 0 } };
const manual = (pairs: [number, string][], extra: object = {}) => ({ initializer: { ...noInit, precision: { type: 'manual', bitwidth_per_scope: pairs } }, ...extra });

async function build(q: object, device = 'NPU', data?: Dataset) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, target_device: device, compression: { algorithm: 'quantization', ...q } });
  if (data) config.registerExtraStructs([new QuantizationRangeInitArgs(data)]);
  const r = await createCompressedModel(await loadDigitsCnn(), config);
  const ctrl = r.controller as QuantizationController;
  const byId = (id: string) => ctrl.modules.find((m) => m.placed.id === id)!;
  return { ...r, ctrl, byId };
}

const bitTable = (ctrl: QuantizationController) => ctrl.statistics().tables.find((t) => t.title.startsWith('Statistics of the bitwidth'))!.rows;

let train: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  ({ train } = await digitsData());
}, 120_000);

describe('manual precision init', () => {
  it('NPU: 4-bit conv2 weights take the first 4-bit HW config (q4_w: symmetric per-channel, no narrow range, signedness from statistics)', async () => {
    // q4_w gives no level bounds, so (unlike q8_w_sym) it does not force signed: min_max on the weights decides.
    const pairs: [number, string][] = [[4, 'conv2/Conv|WEIGHT']];
    // FakeQuantize asked for explicitly: since issue 11 a config without the key exports QDQ
    const r = await build({ initializer: { ...noInit, range: { num_init_samples: 32 }, precision: { type: 'manual', bitwidth_per_scope: pairs } }, export_to_onnx_standard_ops: false }, 'NPU', train);
    const w = r.byId('conv2/Conv|WEIGHT');
    expect([w.placed.bits, w.placed.mode, w.placed.perChannel, w.placed.channelAxis, w.placed.narrowRange, w.placed.halfRange, w.placed.signed]).toEqual([4, 'symmetric', true, 0, false, false, undefined]);
    // §1.1: narrow range only for 8-bit weights, so 4-bit signed is the full −2^3..2^3−1 grid.
    expect(w.quantizer.fakeQuantizeParams()).toMatchObject({ levels: 16, levelLow: -8, levelHigh: 7 });
    // untouched weights keep 8-bit narrow range (−127..127)
    expect(r.byId('conv1/Conv|WEIGHT').quantizer.fakeQuantizeParams()).toMatchObject({ levels: 255, levelLow: -127, levelHigh: 127 });
    expect(bitTable(r.ctrl)).toEqual([
      [8, '4 / 5 (80.00 %)', '5 / 5 (100.00 %)', '9 / 10 (90.00 %)'],
      [4, '1 / 5 (20.00 %)', '0 / 5 (0.00 %)', '1 / 10 (10.00 %)'],
    ]);
    // FakeQuantize export takes any bit width; QDQ (standard ops) writes the 4-bit weight as packed INT4
    const ops = await countOpTypes(exportCompressedModelBytes(r));
    expect(ops.get('org.openvinotoolkit:FakeQuantize')).toBe(10);
    r.ctrl.dispose();
    const q = await build(manual([[4, 'conv2/Conv|WEIGHT']], { export_to_onnx_standard_ops: true }));
    const g = parseOnnx(exportCompressedModelBytes(q));
    const weightTypes = g.nodes.filter((n) => n.opType === 'DequantizeLinear' && n.name.endsWith('|WEIGHT/DQ')).map((n) => [n.name, g.initializers.get(n.inputs[0])!.dtype]);
    const four = q.byId('conv2/Conv|WEIGHT').quantizer.signed ? 'int4' : 'uint4';
    expect(weightTypes.filter(([, t]) => t!.endsWith('4'))).toEqual([['conv2/Conv|WEIGHT/DQ', four]]);
    expect(weightTypes.filter(([, t]) => t === 'int8').length).toBe(4);
    expect(g.opsets.get('')).toBe(21);
    q.ctrl.dispose();
  });

  it('NPU: scopes match as substrings of the quantizer id, first quantizer in placement order only (NNCF)', async () => {
    // "Relu|OUTPUT" is in every ReLU output id; the first placed one (relu1) gets 4 bits, the rest stay 8.
    const r = await build(manual([[4, 'Relu|OUTPUT'], [16, 'fc1']]));
    expect(r.ctrl.modules.map((m) => [m.placed.id, m.placed.bits])).toEqual([
      ['conv1/Conv|WEIGHT', 8],
      ['conv2/Conv|WEIGHT', 8],
      ['conv3/Conv|WEIGHT', 8],
      ['fc1/Gemm|WEIGHT', 16],
      ['fc2/Gemm|WEIGHT', 8],
      ['input|OUTPUT', 8],
      ['relu1/Relu|OUTPUT', 4],
      ['relu4/Relu|OUTPUT', 8],
      ['relu3/Relu|OUTPUT', 8],
      ['relu2/Relu|OUTPUT', 8],
    ]);
    // 4-bit activations: q4_tn per-tensor, full range; 16-bit weights: no narrow range (−32768..32767)
    expect(r.byId('relu1/Relu|OUTPUT').placed).toMatchObject({ perChannel: false, narrowRange: false });
    expect(r.byId('fc1/Gemm|WEIGHT').quantizer.fakeQuantizeParams()).toMatchObject({ levels: 65536, levelLow: -32768, levelHigh: 32767 });
    expect(bitTable(r.ctrl)).toEqual([
      [16, '1 / 5 (20.00 %)', '0 / 5 (0.00 %)', '1 / 10 (10.00 %)'],
      [8, '4 / 5 (80.00 %)', '4 / 5 (80.00 %)', '8 / 10 (80.00 %)'],
      [4, '0 / 5 (0.00 %)', '1 / 5 (20.00 %)', '1 / 10 (10.00 %)'],
    ]);
    r.ctrl.dispose();
  });

  it('CPU: 16-bit weights drop the overflow-fix half range (it is for 8-bit only); 8-bit neighbours keep it', async () => {
    const r = await build(manual([[16, 'conv1/Conv|WEIGHT']]), 'CPU');
    expect(r.byId('conv1/Conv|WEIGHT').placed).toMatchObject({ bits: 16, halfRange: false, narrowRange: false });
    expect(r.byId('conv2/Conv|WEIGHT').placed).toMatchObject({ bits: 8, halfRange: true, narrowRange: false });
    // half range −64..63 is exported on the 8-bit grid (2·low, 2·high+1)
    expect(r.byId('conv2/Conv|WEIGHT').quantizer.fakeQuantizeParams()).toMatchObject({ levelLow: -128, levelHigh: 127 });
    r.ctrl.dispose();
  });

  it('TRIAL (no HW config): any bit width is taken as given, mode and granularity kept', async () => {
    const r = await build(manual([[3, 'conv3/Conv|WEIGHT']]), 'TRIAL');
    expect(r.byId('conv3/Conv|WEIGHT').placed).toMatchObject({ bits: 3, mode: 'symmetric', perChannel: false, narrowRange: false, halfRange: false });
    r.ctrl.dispose();
  });

  it('resume: the bits come from the saved builder state, not from bitwidth_per_scope', async () => {
    const r = await build(manual([[4, 'conv2/Conv|WEIGHT']]));
    const state = JSON.parse(JSON.stringify(r.getCompressionState())) as CompressionState;
    r.ctrl.dispose();
    // a different pair in the resumed config is not applied (NNCF: no precision init on resume)
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, target_device: 'NPU', compression: { algorithm: 'quantization', ...manual([[4, 'conv3']]) } });
    const again = await createCompressedModel(await loadDigitsCnn(), config, { compressionState: state });
    const ctrl = again.controller as QuantizationController;
    expect(ctrl.modules.filter((m) => m.placed.bits === 4).map((m) => m.placed.id)).toEqual(['conv2/Conv|WEIGHT']);
    ctrl.dispose();
  });

  it('errors: no matching quantizer, bits outside the HW config (CPU and NPU), bad bits, hawq / autoq', async () => {
    await expect(build(manual([[4, 'conv9']]))).rejects.toThrow(/bitwidth_per_scope\[0\] \[4, "conv9"\]: no quantizer id contains "conv9"/);
    await expect(build(manual([[8, 'conv1'], [4, 'conv2/Conv|WEIGHT']]), 'CPU')).rejects.toThrow(
      /bitwidth_per_scope\[1\] \[4, "conv2\/Conv\|WEIGHT"\]: 4 bits are not allowed for "conv2\/Conv\|WEIGHT" by the target hardware; allowed bit widths: 8, 16$/,
    );
    await expect(build(manual([[2, 'relu1/Relu|OUTPUT']]))).rejects.toThrow(/2 bits are not allowed for "relu1\/Relu\|OUTPUT" .*allowed bit widths: 8, 16, 4$/);
    await expect(build(manual([[0, 'conv1']]), 'TRIAL')).rejects.toThrow(/\[0, "conv1"\]: bits must be a positive integer/);
    // autoq is built (precision-autoq-*.test.ts): it needs episodes (NNCF's default iter_number 0 is refused) and AutoQPrecisionInitArgs
    await expect(build({ initializer: { ...noInit, precision: { type: 'autoq' } } })).rejects.toThrow(/precision\.iter_number must be a positive integer for AutoQ/);
    await expect(build({ initializer: { ...noInit, precision: { type: 'autoq', iter_number: 2 } } })).rejects.toThrow(/register AutoQPrecisionInitArgs\(dataLoader, evalFn\)/);
    // hawq is built (precision-hawq-*.test.ts); without QuantizationPrecisionInitArgs it names the struct
    await expect(build({ initializer: { ...noInit, precision: { type: 'hawq' } } })).rejects.toThrow(/register QuantizationPrecisionInitArgs/);
  });

  it('unified-scale group (one quantizer, several points): any point sets the whole group; conflicting bits are an error', async () => {
    const r = await build({ initializer: noInit });
    const graph = r.model.graph;
    const setup = r.ctrl.modules.map((m) => structuredClone(m.placed));
    r.ctrl.dispose();
    const i1 = setup.findIndex((q) => q.id === 'relu1/Relu|OUTPUT');
    const i2 = setup.findIndex((q) => q.id === 'relu2/Relu|OUTPUT');
    const unified = [...setup];
    unified[i1] = { ...setup[i1], points: [...setup[i1].points, ...setup[i2].points], unifiedScaleGroup: 0 };
    unified.splice(i2, 1);
    const opts = { hwConstrained: true, weightRangeFlags: () => ({ halfRange: false, narrowRange: false }) };
    const out = applyManualPrecision(graph, unified, [[4, 'relu2/Relu|OUTPUT']], opts);
    expect(out[i1]).toMatchObject({ id: 'relu1/Relu|OUTPUT', bits: 4 });
    expect(unified[i1].bits).toBe(8); // input not mutated
    expect(() => applyManualPrecision(graph, unified, [[4, 'relu1/Relu|OUTPUT'], [8, 'relu2/Relu|OUTPUT']], opts)).toThrow(
      /\[1\] \[8, "relu2\/Relu\|OUTPUT"\]: "relu2\/Relu\|OUTPUT" belongs to the unified-scale quantizer relu1\/Relu\|OUTPUT, which entry 0 set to 4 bits/,
    );
  });
});
