/**
 * `nncf-ts plan --json` with filter_pruning: the groups under "algorithms" and, per epoch, the state
 * {level, pruning_level, stage, full/current FLOPs, params, filters} following NNCF's schedule
 * (catalogue §4 item 4 config on the Fashion reference CNN).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-pruning-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan --json with filter_pruning', () => {
  it('shows the groups and the per-epoch state', async () => {
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({
      input_info: { sample_size: [1, 1, 28, 28] },
      compression: { algorithm: 'filter_pruning', pruning_init: 0.1, params: { schedule: 'exponential_with_bias', pruning_target: 0.7, num_init_steps: 3, pruning_steps: 5 } },
    }));
    const r = await runCli('plan', '--model', 'examples/fashion-mnist/model.onnx', '--config', config, '--epochs', '10', '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/staged scheduler|batchnorm_adaptation/);
    const plan = JSON.parse(r.out);
    const alg = plan.algorithms[0];
    expect(alg.groups.map((g: { nodes: string[]; filters: number }) => [g.nodes, g.filters])).toEqual([[['layer1.conv1/Conv'], 16], [['pw/Conv'], 144], [['head/Conv'], 144]]);
    expect(alg.full_flops).toBe(29468736);
    const perEpoch = (plan.schedule as { epoch: number; step: number; algorithms: { filter_pruning: Record<string, number | string> } }[])
      .filter((s) => s.step === -1 && s.epoch >= 0)
      .map((s) => s.algorithms.filter_pruning);
    const ref = [0, 0, 0, 0.1, 0.6489741, 0.6956869, 0.6996617, 0.7, 0.7, 0.7];
    perEpoch.forEach((s, e) => {
      expect(s.level as number).toBeCloseTo(ref[e], 6);
      expect(s.pruning_level as number).toBeCloseTo(ref[e], 6);
      expect(s.full_flops).toBe(29468736);
    });
    expect(perEpoch.map((s) => s.stage)).toEqual(['UNCOMPRESSED', 'UNCOMPRESSED', 'UNCOMPRESSED', ...new Array(4).fill('PARTIALLY_COMPRESSED'), ...new Array(3).fill('FULLY_COMPRESSED')]);
    expect(perEpoch[9].current_flops as number).toBeLessThan(29468736 * 0.5);
    expect(perEpoch[9].current_filters_num as number).toBeLessThan(perEpoch[9].full_filters_num as number);
  }, 120_000);
  it('text: the groups and the layers left unpruned as tables of their own (a row per layer), FLOPs per schedule row, no NaN', async () => {
    const config = join(dir, 'text.json');
    writeFileSync(config, JSON.stringify({
      input_info: { sample_size: [1, 1, 28, 28] },
      compression: { algorithm: 'filter_pruning', pruning_init: 0.1, params: { schedule: 'exponential_with_bias', pruning_target: 0.7, num_init_steps: 3, pruning_steps: 5 } },
    }));
    const r = await runCli('plan', '--model', 'examples/fashion-mnist/model.onnx', '--config', config, '--epochs', '10');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/filter_pruning: groups/);
    expect(r.out).toMatch(/│ 1 +│ pw\/Conv +│ 144 +│/);
    expect(r.out).toMatch(/filter_pruning: not_pruned/);
    expect(r.out).toMatch(/first convolution \(prune_first_conv is false\)/);
    expect(r.out).toMatch(/level 0\.7000 \(FLOPs 0\.\d{4} of full\), FULLY_COMPRESSED/);
    expect(r.out).not.toMatch(/NaN|"nodes":/);
  }, 120_000);
});
