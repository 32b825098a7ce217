/**
 * Channel dependency analysis (NNCF's pruning groups) on builder models and on the torchvision zoo
 * exports: which layers are pruned together, which are refused and why.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPruningGroups, type GroupAnalysis } from '../../src/algorithms/pruning/groups/index.js';
import { loadOnnxModel } from '../../src/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { concatNet, mobilenetV2Style, resnetStyle } from '../helpers/models.js';

const names = (a: GroupAnalysis) => a.groups.map((g) => g.members.map((l) => l.node.name));
const reasonOf = (a: GroupAnalysis, node: string) =>
  a.refused.flatMap((r) => r.reasons).find((r) => r.startsWith(`${node}:`));

describe('pruning groups', () => {
  it('ResNet-style: residual adds tie the stem and the block output; first and downsampling convs block their groups', () => {
    const m = resnetStyle();
    const a = findPruningGroups(m.graph);
    expect(names(a)).toEqual([['layer1.0.conv1/Conv']]);
    expect(reasonOf(a, 'stem/Conv')).toMatch(/first convolution/);
    expect(reasonOf(a, 'layer1.0.conv2/Conv')).toMatch(/group with an unprunable/);
    expect(reasonOf(a, 'layer2.0.downsample/Conv')).toMatch(/downsampling/);
    expect(reasonOf(a, 'fc/Gemm')).toMatch(/model output/);
    const all = findPruningGroups(m.graph, { pruneFirst: true, pruneDownsample: true });
    expect(names(all)).toEqual([
      ['stem/Conv', 'layer1.0.conv2/Conv'],
      ['layer1.0.conv1/Conv'],
      ['layer2.0.conv1/Conv'],
      ['layer2.0.conv2/Conv', 'layer2.0.downsample/Conv'],
    ]);
    expect(all.groups.map((g) => g.channels)).toEqual([16, 16, 32, 32]);
  });

  it('MobileNetV2-style: depthwise convs follow their expand conv; chained residual projects share one group', () => {
    const a = findPruningGroups(mobilenetV2Style().graph);
    expect(names(a)).toEqual([
      ['features.1.expand/Conv', 'features.1.dw/Conv'],
      ['features.2.project/Conv', 'features.3.project/Conv'],
      ['features.3.expand/Conv', 'features.3.dw/Conv'],
      ['features.4/Conv'],
    ]);
    expect(reasonOf(a, 'features.2.dw/Conv')).toMatch(/downsampling/);
  });

  it('Concat: branch masks map to slices of the merge conv input; ignored scopes refuse a layer', () => {
    const m = concatNet();
    const a = findPruningGroups(m.graph, { pruneFirst: true });
    expect(names(a)).toEqual([['branch_a/Conv'], ['branch_b/Conv'], ['merge/Conv']]);
    const ignored = findPruningGroups(m.graph, { pruneFirst: true, ignoredScopes: ['{re}branch_b'] });
    expect(names(ignored)).toEqual([['branch_a/Conv'], ['merge/Conv']]);
    expect(reasonOf(ignored, 'branch_b/Conv')).toBe('branch_b/Conv: ignored scope');
    const target = findPruningGroups(m.graph, { pruneFirst: true, targetScopes: ['merge/Conv'] });
    expect(names(target)).toEqual([['merge/Conv']]);
  });

  it('an op that cannot take pruned channels (Transpose) blocks its producer', () => {
    const b = new OnnxBuilder({ opset: 13, seed: 5 });
    const x = b.input('x', [1, 3, 4, 4]);
    const c0 = b.node('Conv', [x, b.randomWeight('w0', [4, 3, 1, 1])], {}, { name: 'c0' });
    const c1 = b.node('Conv', [c0, b.randomWeight('w1', [4, 4, 1, 1])], {}, { name: 'c1' });
    const c2 = b.node('Conv', [c0, b.randomWeight('w2', [4, 4, 1, 1])], {}, { name: 'c2' });
    const t = b.node('Transpose', [c2], { perm: [0, 2, 3, 1] }, { name: 't' });
    const c3 = b.node('Conv', [c1, b.randomWeight('w3', [4, 4, 1, 1])], {}, { name: 'c3' });
    b.output(b.node('Add', [b.node('Transpose', [c3], { perm: [0, 2, 3, 1] }, { name: 't3' }), t], {}, { name: 'add' }));
    const a = findPruningGroups(b.toGraph(), { pruneFirst: true });
    // c0 feeds two convs (both take its channels); c2 and c3 feed Transposes
    expect(names(a)).toEqual([['c0'], ['c1']]);
    expect(reasonOf(a, 'c2')).toMatch(/cannot take pruned channels/);
    expect(reasonOf(a, 'c3')).toMatch(/cannot take pruned channels/);
  });

  it.each(['resnet18-bn-dyn', 'mobilenet_v2-bn-dyn'])('zoo %s', async (file) => {
    const path = `.cache/zoo/${file}.onnx`;
    if (!existsSync(path)) {
      console.log(`skipped: ${path} is absent (npm run get-models)`);
      return;
    }
    const a = findPruningGroups(await loadOnnxModel(path));
    if (file.startsWith('resnet18')) {
      // conv1 of each basic block (the stride-2 ones refused): NNCF's default ResNet-18 groups
      expect(names(a)).toEqual(['/layer1/layer1.0/conv1/Conv', '/layer1/layer1.1/conv1/Conv', '/layer2/layer2.1/conv1/Conv', '/layer3/layer3.1/conv1/Conv', '/layer4/layer4.1/conv1/Conv'].map((n) => [n]));
    } else {
      expect(a.groups).toHaveLength(20);
      // 17 inverted residuals: the first has no expand conv (its depthwise follows the first conv), 4 downsample
      expect(a.groups.filter((g) => g.members.some((l) => l.depthwise))).toHaveLength(12);
      expect(a.groups.map((g) => g.channels).slice(-2)).toEqual([320, 1280]);
    }
  }, 120_000);
});
