/**
 * movement_sparsity writes NNCF's structured_sparsity.csv into log_dir once the structured masks are
 * resolved (NNCF's populate_structured_mask → report_structured_sparsity(log_dir)): pandas' to_csv
 * layout, one row per grouped layer, nothing before the end of warm-up.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import type { MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import { structuredSparsityCsv } from '../../../src/algorithms/sparsity/movement/structured-report-csv.js';
import { RunLog } from '../../../src/cli/log-dir.js';
import { NNCFConfig } from '../../../src/config/index.js';
import type { Dataset } from '../../../src/data/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { taskLoss } from '../../../src/training/index.js';
import { transformerEncoder } from '../../helpers/models.js';
import { encoderRegressionData } from './encoder-data.js';
import { makeJob } from '../../training/ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});
const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-movement-logdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dataset = (): Dataset => encoderRegressionData(16, 21);

describe('structured_sparsity.csv in log_dir', () => {
  it('pandas layout: index column, Python tuples quoted, more than 20 kept units as "[N items]"', () => {
    const csv = structuredSparsityCsv([
      { groupId: 0, layer: 'attn.q/MatMul', weightShape: [16, 16], prunedWeightShape: [8, 16], biasShape: [16], prunedBiasShape: [8], keptUnits: [1] },
      { groupId: 1, layer: 'ff1/Gemm', weightShape: [32, 16], prunedWeightShape: [24, 16], biasShape: [0], prunedBiasShape: [0], keptUnits: Array.from({ length: 24 }, (_, i) => i) },
    ], (l) => (l === 'attn.q/MatMul' ? 'encoder.layer.0.attention.self.query.weight' : 'onnx::MatMul_123'));
    expect(csv).toBe([
      ',group_id,torch_module,weight_shape,pruned_weight_shape,bias_shape,pruned_bias_shape,head_or_channel_id_to_keep,module_node_name',
      '0,0,encoder.layer.0.attention.self.query,"(16, 16)","(8, 16)","(16,)","(8,)",[1],attn.q/MatMul',
      '1,1,ff1/Gemm,"(32, 16)","(24, 16)","(0,)","(0,)",[24 items],ff1/Gemm',
      '',
    ].join('\n'));
  });

  it('written by the run log after the epoch that resolved the structured masks, not before', async () => {
    const config = {
      batch_size: 4, epochs: 3, seed: 3,
      optimizer: { type: 'adam', base_lr: 0.05 },
      compression: { algorithm: 'movement_sparsity', params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 50, init_importance_threshold: -0.05, final_importance_threshold: 0.2, power: 2, steps_per_epoch: 4 } },
    };
    const configFile = join(dir, 'movement.json');
    writeFileSync(configFile, JSON.stringify({ ...config, input_info: { sample_size: [1, 4, 16] }, log_dir: join(dir, 'logs') }));
    const runLog = RunLog.open(NNCFConfig.fromObject(JSON.parse(readFileSync(configFile, 'utf8'))), { model: 'encoder.onnx', configFile })!;
    const csvPath = join(runLog.dir, 'structured_sparsity.csv');
    const seen: boolean[] = [];
    const j = await makeJob({
      graph: () => transformerEncoder({ seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph, train: dataset(), engine: 'ort', loss: taskLoss('mse', 'hidden'), config,
      options: { onEpochEnd: (r: { epoch: number }) => { runLog.recordStatistics(j.created.controller, r.epoch); seen.push(existsSync(csvPath)); } },
    });
    await j.trainer.fit();
    // resolved on the first step of epoch 2 (warm-up ends there)
    expect(seen).toEqual([false, false, true]);
    const mv = j.created.controller as MovementSparsityController;
    const lines = readFileSync(csvPath, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(',group_id,torch_module,weight_shape,pruned_weight_shape,bias_shape,pruned_bias_shape,head_or_channel_id_to_keep,module_node_name');
    // both heads kept; 3 of 32 FFN channels removed (the same run as resume.test.ts)
    expect(lines.slice(1)).toEqual([
      '0,0,layers.0.q,"(16, 16)","(16, 16)","(16,)","(16,)","[0, 1]",layers.0.q/MatMul',
      '1,0,layers.0.k,"(16, 16)","(16, 16)","(16,)","(16,)","[0, 1]",layers.0.k/MatMul',
      '2,0,layers.0.v,"(16, 16)","(16, 16)","(16,)","(16,)","[0, 1]",layers.0.v/MatMul',
      '3,0,layers.0.out,"(16, 16)","(16, 16)","(16,)","(16,)","[0, 1]",layers.0.out/MatMul',
      '4,1,layers.0.ff1,"(32, 16)","(29, 16)","(32,)","(29,)",[29 items],layers.0.ff1/MatMul',
      '5,1,layers.0.ff2,"(16, 32)","(16, 29)","(16,)","(16,)",[29 items],layers.0.ff2/MatMul',
    ]);
    expect(mv.structuredReport!.map((r) => r.keptUnits.length)).toEqual([2, 2, 2, 2, 29, 29]);
    expect(readdirSync(runLog.dir).sort()).toEqual(['config.json', 'config.resolved.json', 'output.log', 'statistics.json', 'structured_sparsity.csv']);
    j.trainer.dispose();
  }, 120_000);
});
