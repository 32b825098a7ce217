/**
 * Every `bootstrapNAS.training` key reaches what it configures (issue 16): each key, set in an NNCF
 * config and built by createProgressiveShrinking, changes the handlers or the schedule as the same option
 * given to the handler directly does (hand-computed width/kernel lists, the block search's own result),
 * and differs from the default. NNCF's PyTorch scope names in `skipped_blocks` are refused naming the key,
 * with the ONNX node they most likely became.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createProgressiveShrinking, findBuildingBlocks, type ElasticDepthHandler, type ElasticKernelHandler, type ElasticWidthHandler } from '../../src/algorithms/nas/index.js';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { mobilenetV2Style, resnetStyle } from '../helpers/models.js';
import { bigKernels } from './nas-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const resnet = () => resnetStyle({ size: 8, width: 8, classes: 3, seed: 4 }).graph;
const mobilenet = () => mobilenetV2Style({ size: 8 }).graph;

/** Builds progressive shrinking on `graph` with `training` merged over a one-stage schedule of `dims`. */
function build(graph: Graph, dims: string[], training: Record<string, unknown> = {}, elasticity: Record<string, unknown> = {}) {
  const model = new CompressedModel(graph, new Engine(graph));
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 8, 8] },
    bootstrapNAS: {
      training: {
        progressivity_of_elasticity: ['kernel', 'depth', 'width'],
        schedule: { list_stage_descriptions: [{ train_dims: dims, init_lr: 0.1 }] },
        ...training,
        elasticity: { available_elasticity_dims: dims, ...elasticity },
      },
    },
  });
  const built = createProgressiveShrinking(model, config, { stepsPerEpoch: 2 });
  const close = () => {
    built.handler.dispose();
    model.engine.dispose();
  };
  return { ...built, model, close };
}

const widthSpace = (width: Record<string, unknown>) => {
  const b = build(resnet(), ['width'], {}, { width });
  const space = (b.handler.dims.width as ElasticWidthHandler).searchSpace();
  b.close();
  return space;
};

describe('elasticity.width keys', () => {
  // resnetStyle width 8: group 0 (stem + layer1, 8 channels), group 1 (layer1.0.conv1, 8), groups 2–3 (layer2, 16)
  it('defaults (min_width 32): no group is elastic', () => {
    expect(widthSpace({})).toEqual({ 0: [8], 1: [8], 2: [16], 3: [16] });
  });
  it.each([
    ['min_width', { min_width: 4, width_step: 4 }, { 0: [8, 4], 1: [8, 4], 2: [16, 12, 8, 4], 3: [16, 12, 8, 4] }],
    ['width_step', { min_width: 4, width_step: 6 }, { 0: [8], 1: [8], 2: [16, 10, 4], 3: [16, 10, 4] }],
    ['max_num_widths', { min_width: 4, width_step: 4, max_num_widths: 2 }, { 0: [8, 4], 1: [8, 4], 2: [16, 12], 3: [16, 12] }],
    // multipliers 1, 0.5 (sorted down; 1 lists no extra max): int(8·1) = 8, int(8·0.5) = 4 → 0 (multiple of 8) → raised to min_width 2
    ['width_multipliers', { min_width: 2, width_multipliers: [0.5, 1] }, { 0: [8, 2], 1: [8, 2], 2: [16, 8], 3: [16, 8] }],
  ])('%s reaches the width lists', (_, width, expected) => {
    expect(widthSpace(width)).toEqual(expected);
  });
  it('filter_importance reaches reorganize_weights (L1 and L2 orders differ on this model)', () => {
    const order = (filter_importance: string) => {
      const b = build(resnet(), ['width'], {}, { width: { min_width: 4, width_step: 4, filter_importance } });
      const w = b.handler.dims.width as ElasticWidthHandler;
      w.reorganizeWeights();
      const o = w.channelOrder().map((x) => Array.from(x));
      b.close();
      return o;
    };
    expect(order('L1')).not.toEqual(order('L2'));
  });
  it('ignored_scopes / target_scopes reach the width groups', () => {
    const groups = (elasticity: Record<string, unknown>) => {
      const b = build(resnet(), ['width'], {}, { width: { min_width: 4, width_step: 4 }, ...elasticity });
      const n = (b.handler.dims.width as ElasticWidthHandler).analysis.groups.length;
      b.close();
      return n;
    };
    expect(groups({})).toBe(4);
    expect(groups({ ignored_scopes: ['layer1.0.conv1/Conv'] })).toBe(3);
    expect(groups({ target_scopes: ['layer1.0.conv1/Conv'] })).toBe(1);
  });
});

describe('elasticity.kernel and available_elasticity_dims', () => {
  it('max_num_kernels cuts the kernel lists (7×7: 7, 5, 3 → 7, 5)', () => {
    const space = (kernel?: object) => {
      const b = build(bigKernels(), ['kernel'], {}, kernel ? { kernel } : {});
      const s = (b.handler.dims.kernel as ElasticKernelHandler).searchSpace();
      b.close();
      return s;
    };
    expect(space()).toEqual([[5, 3], [7, 5, 3], [5, 3]]);
    expect(space({ max_num_kernels: 2 })).toEqual([[5, 3], [7, 5], [5, 3]]);
  });
  it('available_elasticity_dims: only the dims named are built', () => {
    const b = build(resnet(), ['width'], {}, { width: { min_width: 4, width_step: 4 } });
    expect(b.handler.availableDims()).toEqual(['width']);
    b.close();
  });
});

describe('elasticity.depth keys', () => {
  const blocks = (graph: () => Graph, depth: Record<string, unknown>) => {
    const b = build(graph(), ['depth'], {}, { depth });
    const out = (b.handler.dims.depth as ElasticDepthHandler).blocks.map((x) => [x.start, x.end]);
    b.close();
    return out;
  };
  const search = (graph: Graph, o: object) => findBuildingBlocks(graph, o).blocks.map((x) => [x.start, x.end]);
  const base = [['features.0/Conv', 'features.1/Add'], ['features.2.project/Conv', 'features.3/Add']];

  it('defaults: NNCF min 5, max 50, fused ops kept', () => {
    expect(blocks(mobilenet, {})).toEqual(base);
  });
  it.each([
    ['min_block_size / max_block_size', { min_block_size: 7, max_block_size: 8 }, { minBlockSize: 7, maxBlockSize: 8 }],
    ['hw_fused_ops', { hw_fused_ops: false }, { hwFusedOps: false }],
    ['min_block_size with hw_fused_ops off', { hw_fused_ops: false, min_block_size: 1 }, { hwFusedOps: false, minBlockSize: 1 }],
  ])('%s reach the block search', (_, depth, opts) => {
    const got = blocks(mobilenet, depth);
    expect(got).toEqual(search(mobilenet(), opts));
    expect(got).not.toEqual(base);
  });
  it('max_block_size below every block: no block, depth can only keep everything', () => {
    expect(search(mobilenet(), { minBlockSize: 1, maxBlockSize: 4 })).toEqual([]);
    expect(blocks(mobilenet, { min_block_size: 1, max_block_size: 4 })).toEqual([]);
  });
  it('skipped_blocks: the blocks given, by ONNX node name, replace the search', () => {
    expect(blocks(resnet, { skipped_blocks: [['stem/Relu', 'layer1.0/Relu']] })).toEqual([['stem/Relu', 'layer1.0/Relu']]);
  });
  it('skipped_blocks with NNCF PyTorch scopes: refused naming the key, with the ONNX node they most likely are', () => {
    // relu_1: the second node under layer1 / 0 named relu
    expect(() => blocks(resnet, { skipped_blocks: [['stem/Relu', 'ResNet/Sequential[layer1]/BasicBlock[0]/relu_1']] })).toThrow(
      /skipped_blocks\[0\]\[1\]: "ResNet\/Sequential\[layer1\]\/BasicBlock\[0\]\/relu_1" is an NNCF \(PyTorch\) scope; nncf-ts names block boundaries by ONNX node name .*: probably "layer1.0\/Relu"/,
    );
    expect(() => blocks(resnet, { skipped_blocks: [['ResNet/ReLU[relu]/relu_0', 'layer1.0/Relu']] })).toThrow(/skipped_blocks\[0\]\[0\]: "ResNet\/ReLU\[relu\]\/relu_0" is an NNCF \(PyTorch\) scope/);
    // ResNet/Sequential[layer1]/BasicBlock[0]/relu_0 → the first node under layer1 / 0 named relu
    expect(() => blocks(resnet, { skipped_blocks: [['stem/Relu', 'ResNet/Sequential[layer1]/BasicBlock[0]/relu_0']] })).toThrow(/probably "layer1.0.conv1\/Relu"/);
    expect(() => blocks(resnet, { skipped_blocks: [['stem/Relu', 'nope']] })).toThrow(/skipped_blocks\[0\]\[1\]: "nope" is not a node of the model/);
  });
});

describe('training keys', () => {
  it('progressivity_of_elasticity reaches the stage check', () => {
    const dims = ['kernel', 'width'];
    const elasticity = { width: { min_width: 4, width_step: 4 } };
    expect(() => build(bigKernels(), dims, { progressivity_of_elasticity: ['kernel', 'width'] }, elasticity).close()).not.toThrow();
    expect(() => build(bigKernels(), dims, { progressivity_of_elasticity: ['width'] }, elasticity)).toThrow(/"kernel" is not in progressivity_of_elasticity/);
  });
  it('batchnorm_adaptation.num_bn_adaptation_samples is handed to the caller (default 2000)', () => {
    const a = build(resnet(), ['width'], {}, { width: { min_width: 4, width_step: 4 } });
    const b = build(resnet(), ['width'], { batchnorm_adaptation: { num_bn_adaptation_samples: 64 } }, { width: { min_width: 4, width_step: 4 } });
    expect([a.numBnAdaptationSamples, b.numBnAdaptationSamples]).toEqual([2000, 64]);
    a.close();
    b.close();
  });
  it('lr_schedule.params.base_lr: one global cosine (stages set no init_lr)', () => {
    const model = new CompressedModel(resnet(), new Engine(resnet()));
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 8, 8] },
      bootstrapNAS: { training: { lr_schedule: { params: { base_lr: 0.4 } }, schedule: { list_stage_descriptions: [{ train_dims: ['width'], epochs: 2 }] }, elasticity: { available_elasticity_dims: ['width'], width: { min_width: 4, width_step: 4 } } } },
    });
    const { controller, handler } = createProgressiveShrinking(model, config, { stepsPerEpoch: 2 });
    controller.scheduler.epochStep();
    controller.scheduler.step();
    expect(controller.scheduler.learningRate()).toBeCloseTo(0.4, 12); // cos(0) over 4 steps
    controller.scheduler.step();
    expect(controller.scheduler.learningRate()).toBeCloseTo(0.5 * 0.4 * (1 + Math.cos(Math.PI / 4)), 12);
    handler.dispose();
    model.engine.dispose();
  });
});
