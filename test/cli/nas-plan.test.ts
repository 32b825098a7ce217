/**
 * `nncf-ts plan` on bootstrapNAS configs: elastic dimensions, search-space sizes and MACs hand-computed,
 * the state per stage in --json; NNCF's own example config on the ResNet-50-style model.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveOnnx } from '../../src/exporters/onnx/index.js';
import type { NasPlan } from '../../src/report/plan/index.js';
import { runCli } from '../helpers/cli.js';
import { cifarResnet50Style, tinyBnResnet } from '../nas/nas-models.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-nas-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tinyConfig = {
  input_info: { sample_size: [1, 2, 6, 6] },
  bootstrapNAS: {
    training: {
      progressivity_of_elasticity: ['depth', 'width'],
      schedule: {
        list_stage_descriptions: [
          { train_dims: ['depth'], epochs: 2, init_lr: 0.01, depth_indicator: 1 },
          { train_dims: ['depth', 'width'], epochs: 1, init_lr: 0.005, depth_indicator: 3, width_indicator: 3, reorg_weights: true, bn_adapt: true },
        ],
      },
      elasticity: { available_elasticity_dims: ['width', 'depth'], width: { min_width: 4, width_step: 2, max_num_widths: 3 }, depth: { skipped_blocks: [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']] } },
    },
    search: { num_evals: 20, population: 8 },
  },
};

beforeAll(() => {
  saveOnnx(tinyBnResnet(), join(dir, 'tiny.onnx'));
  saveOnnx(cifarResnet50Style(), join(dir, 'resnet.onnx'));
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tinyConfig));
});

// tiny model, 6×6 maps: stem 8·2·9·36 = 5184, each block conv 8·8·9·36 = 20736 (6 of them), fc 8·3 = 24
const SUPERNET = 5184 + 6 * 20736 + 24;
// widths 4 everywhere and the three blocks skipped: stem 4·2·9·36 = 2592, fc 4·3 = 12
const SMALLEST = 2592 + 12;

describe('nncf-ts plan for bootstrapNAS', () => {
  it('tiny ResNet: 4 width groups [8, 6, 4], 3 blocks; space 3⁴·4 = 324; stage 0 (depth, indicator 1) 2 subnets', async () => {
    const r = await runCli('plan', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'tiny.json'), '--json');
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out) as NasPlan;
    expect(p.dims).toEqual(['width', 'depth']);
    expect(p.width.map((w) => w.widths)).toEqual([[8, 6, 4], [8, 6, 4], [8, 6, 4], [8, 6, 4]]);
    expect(p.width.map((w) => w.layers.length).reduce((a, b) => a + b, 0)).toBe(7); // stem + 6 block convs
    expect(p.depth).toEqual([{ block: 0, start: 'r0', end: 'r1' }, { block: 1, start: 'r1', end: 'r2' }, { block: 2, start: 'r2', end: 'r3' }]);
    expect(p.full_space).toEqual({ choices: [3, 3, 3, 3, 4], size: 324, macs_max: SUPERNET, macs_min: SMALLEST });
    expect(p.search_space.size).toBe(324);
    expect(p.stages.map((s) => [s.stage, s.first_epoch, s.epochs, s.size, s.macs_max, s.macs_min])).toEqual([
      [0, 0, 2, 2, SUPERNET, SUPERNET - 20736 * 2], // only the last block may go
      [1, 2, 1, 324, SUPERNET, SMALLEST],
    ]);
    expect(p.stages[0].search_space).toEqual({ depth: [[2], []] });
    expect(p.stages[1]).toMatchObject({ train_dims: ['depth', 'width'], reorg_weights: true, bn_adapt: true, init_lr: 0.005, epochs_lr: 1, width_indicator: 3 });
    expect(p.search).toMatchObject({ algorithm: 'NSGA2', population: 8, numEvals: 16, generations: 2 });
    const text = await runCli('plan', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'tiny.json'));
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/search space: 324 subnets \(5 design variables; all dims, all choices: 324\)/);
    expect(text.out).toContain('Skippable blocks');
  }, 120_000);

  it("NNCF's example config on the ResNet-50-style model: 32 inner groups [40, 32], 6 blocks in 4 chains; search space 2³²·36", async () => {
    const r = await runCli('plan', '--model', join(dir, 'resnet.onnx'), '--config', 'test/fixtures/nas/nncf-bootstrapnas-resnet50-cifar10.json', '--json');
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out) as NasPlan;
    const elastic = p.width.filter((w) => w.widths.length > 1);
    expect(elastic.length).toBe(32);
    expect(elastic.every((w) => w.widths.join() === '40,32')).toBe(true);
    expect(p.depth.length).toBe(6);
    // block chains {0}, {1,2}, {3,4}, {5}: indicator 1 → 2·2·2·2, indicator 2 → 2·3·3·2
    expect(p.stages.map((s) => s.size)).toEqual([16, 36, 36 * 2 ** 32, 36 * 2 ** 32]);
    expect(p.search_space.size).toBe(154618822656);
    expect(p.search).toMatchObject({ algorithm: 'NSGA2', population: 8, numEvals: 16, refAcc: 93.65 });
    expect(r.err).toMatch(/min_out_channels.*is ignored/);
  }, 120_000);

  it('a bootstrapNAS config with a compression section is refused by name', async () => {
    writeFileSync(join(dir, 'both.json'), JSON.stringify({ ...tinyConfig, compression: { algorithm: 'magnitude_sparsity' } }));
    const r = await runCli('plan', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'both.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/"compression" section \(magnitude_sparsity\)/);
  }, 120_000);
});
