/**
 * NNCF's building-block search (elastic depth): on the zoo's BN-kept torchvision exports it must find
 * the blocks of NNCF's reference files tests/torch/data/search_building_block/{resnet50,mobilenet_v2}.json
 * (same settings as NNCF's test: ResNet-50 with hw_fused_ops false, MobileNetV2 with the defaults);
 * on the small builder models the results are traced by hand below.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlockSearchError, findBuildingBlocks, groupDependentBlocks } from '../../src/algorithms/nas/elastic-depth/block-search.js';
import { nonOverlappingSequential } from '../../src/algorithms/nas/elastic-depth/overlap.js';
import { loadOnnxModel } from '../../src/index.js';
import { concatNet, mobilenetV2Style, resnetStyle } from '../helpers/models.js';

// NNCF's reference blocks (v2.19.0 test data), scope names as NNCF writes them.
const RESNET50_REF = [
  ['layer1', 0, 'relu_2', 1, 'relu_2'], ['layer1', 1, 'relu_2', 2, '__iadd___0'],
  ['layer2', 0, 'relu_2', 1, 'relu_2'], ['layer2', 1, 'relu_2', 2, 'relu_2'], ['layer2', 2, 'relu_2', 3, '__iadd___0'],
  ['layer3', 0, 'relu_2', 1, 'relu_2'], ['layer3', 1, 'relu_2', 2, 'relu_2'], ['layer3', 2, 'relu_2', 3, 'relu_2'],
  ['layer3', 3, 'relu_2', 4, 'relu_2'], ['layer3', 4, 'relu_2', 5, '__iadd___0'],
  ['layer4', 0, 'relu_2', 1, 'relu_2'], ['layer4', 1, 'relu_2', 2, '__iadd___0'],
].map(([l, a, sa, b, sb]) => [`ResNet/Sequential[${l}]/Bottleneck[${a}]/${sa}`, `ResNet/Sequential[${l}]/Bottleneck[${b}]/${sb}`]);
const RESNET50_GROUPS = [[0, 1], [2, 3, 4], [5, 6, 7, 8, 9], [10, 11]];

const ir = (k: number) => `MobileNetV2/Sequential[features]/InvertedResidual[${k}]`;
const MOBILENET_V2_REF = [[2, 3], [4, 5], [5, 6], [7, 8], [8, 9], [9, 10], [11, 12], [12, 13], [14, 15], [15, 16]].map(([a, b]) => [
  b === a + 1 && [2, 4, 7, 11, 14].includes(a) ? `${ir(a)}/Sequential[conv]/NNCFConv2d[2]/conv2d_0` : `${ir(a)}/__add___0`,
  `${ir(b)}/__add___0`,
]);
const MOBILENET_V2_GROUPS = [[0], [1, 2], [3, 4, 5], [6, 7], [8, 9]];

/** NNCF's PyTorch scope → the node name of the torchvision ONNX export (same ops, other naming). */
function onnxName(scope: string): string {
  let m = /Sequential\[(layer\d)\]\/Bottleneck\[(\d+)\]\/(relu_2|__iadd___0)$/.exec(scope);
  if (m) return `/${m[1]}/${m[1]}.${m[2]}/${m[3] === 'relu_2' ? 'relu_2/Relu' : 'Add'}`;
  m = /InvertedResidual\[(\d+)\]\/(?:Sequential\[conv\]\/NNCFConv2d\[2\]\/conv2d_0|__add___0)$/.exec(scope);
  if (m) return scope.endsWith('conv2d_0') ? `/features/features.${m[1]}/conv/conv.2/Conv` : `/features/features.${m[1]}/Add`;
  throw new Error(`no mapping for ${scope}`);
}

describe('building-block search vs NNCF reference blocks', () => {
  it.each([
    ['resnet50-bn-dyn', false, RESNET50_REF, RESNET50_GROUPS],
    ['mobilenet_v2-bn-dyn', true, MOBILENET_V2_REF, MOBILENET_V2_GROUPS],
  ] as const)('zoo %s (hw_fused_ops %s)', async (file, hwFusedOps, ref, groups) => {
    const path = `.cache/zoo/${file}.onnx`;
    if (!existsSync(path)) {
      console.log(`skipped: ${path} is absent (npm run get-models)`);
      return;
    }
    const r = findBuildingBlocks(await loadOnnxModel(path), { hwFusedOps });
    expect(r.blocks.map((b) => [b.start, b.end])).toEqual(ref.map(([s, e]) => [onnxName(s), onnxName(e)]));
    expect(r.groups).toEqual(groups);
  }, 120_000);
});

describe('building-block search on builder models (hand-traced)', () => {
  it('ResNet-style, hw_fused_ops false, sizes 5..50: the stem-to-first-add block only', () => {
    // Ops: 0 input, 1-3 stem Conv/BN/Relu, 4-8 layer1 convs, 9 Add, 10 Relu, 11-19 layer2 (stride 2), ...
    // Same-shape candidates after de-duplication (start, end): (1,9) (3,9) (1,10) (3,10); layer2's blocks
    // fail the hanging-edge rule (its projection shortcut reads from before the start). Unit-weight
    // longest path: 1→9 first (ties go to the first node in topological order); (3,10) crosses 1..9.
    const r = findBuildingBlocks(resnetStyle().graph, { hwFusedOps: false, minBlockSize: 5, maxBlockSize: 50 });
    expect(r.blocks).toEqual([{ start: 'stem/Conv', end: 'layer1.0/Add', ordinalIds: [1, 9], numOps: 8 }]);
    expect(r.groups).toEqual([[0]]);
  });

  it('ResNet-style, hw_fused_ops true: fused Conv+BN+ReLU is one node, the block starts at the stem fork', () => {
    const r = findBuildingBlocks(resnetStyle().graph, { hwFusedOps: true, minBlockSize: 1, maxBlockSize: 100 });
    expect(r.blocks.map((b) => [b.start, b.end, ...b.ordinalIds])).toEqual([['stem/Conv', 'layer1.0/Relu', 1, 10]]);
  });

  it('ResNet-style, sizes 2..3 without fusing: the conv1→conv2 pairs inside each residual branch', () => {
    const r = findBuildingBlocks(resnetStyle().graph, { hwFusedOps: false, minBlockSize: 2, maxBlockSize: 3 });
    expect(r.blocks.map((b) => [b.start, b.end])).toEqual([
      ['layer1.0.conv1/Conv', 'layer1.0.conv2/Conv'],
      ['layer2.0.conv1/Conv', 'layer2.0.conv2/Conv'],
    ]);
    expect(r.groups).toEqual([[0], [1]]);
  });

  it('MobileNetV2-style: the residual inverted blocks, starting at the project conv with fusing', () => {
    const fused = findBuildingBlocks(mobilenetV2Style().graph, {});
    expect(fused.blocks.map((b) => [b.start, b.end])).toEqual([
      ['features.0/Conv', 'features.1/Add'],
      ['features.2.project/Conv', 'features.3/Add'],
    ]);
    const plain = findBuildingBlocks(mobilenetV2Style().graph, { hwFusedOps: false });
    expect(plain.blocks[1]).toMatchObject({ start: 'features.2.project/BatchNormalization', end: 'features.3/Add', ordinalIds: [20, 29] });
  });

  it('Concat net: branches that join in a Concat give no block', () => {
    expect(findBuildingBlocks(concatNet().graph, { minBlockSize: 1, maxBlockSize: 100, hwFusedOps: false }).blocks).toEqual([]);
  });

  it('min_block_size above max_block_size is refused, naming both', () => {
    expect(() => findBuildingBlocks(resnetStyle().graph, { minBlockSize: 6, maxBlockSize: 5 })).toThrow(BlockSearchError);
    expect(() => findBuildingBlocks(resnetStyle().graph, { minBlockSize: 6, maxBlockSize: 5 })).toThrow(/min_block_size 6.*max_block_size 5/);
  });
});

describe('overlap filter and groups', () => {
  it('keeps the chain with the most blocks, drops what crosses it', () => {
    // Edges 0→4, 4→8, 2→6: path 0→4→8 kept; 2→6 crosses 0..8.
    expect([...nonOverlappingSequential([0, 4, 2], [4, 8, 6])].sort()).toEqual([0, 1]);
    // (2,6),(0,4),(6,9): the two-block chain 2→6→9 beats the earlier single block (0,4), which crosses it.
    expect([...nonOverlappingSequential([2, 0, 6], [6, 4, 9])].sort()).toEqual([0, 2]);
    // All chains of one block: ties go to the first in topological order: (0,5) drops (1,40), then (10,20) beats (10,30).
    expect([...nonOverlappingSequential([0, 10, 10, 1], [5, 20, 30, 40])].sort()).toEqual([0, 1]);
  });

  it('groups blocks whose end is the next start', () => {
    const b = (start: string, end: string) => ({ start, end });
    expect(groupDependentBlocks([b('a', 'b'), b('b', 'c'), b('d', 'e'), b('e', 'f'), b('g', 'h')])).toEqual([[0, 1], [2, 3], [4]]);
    expect(groupDependentBlocks([])).toEqual([]);
  });
});
