/**
 * npm run bench:zoo-pruning — FLOPs / parameters / filters of the torchvision zoo exports before and
 * after filter_pruning (pruning_target 0.4, and pruning_flops_target 0.3), as NNCF counts them (conv and
 * linear layers; FLOPs = 2·MACs; batch 1). Needs `npm run get-models`.
 */
import { existsSync } from 'node:fs';
import type { FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { createCompressedModel } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';

const rows: string[] = [];
for (const model of ['resnet18', 'mobilenet_v2']) {
  const path = `.cache/zoo/${model}-bn-dyn.onnx`;
  if (!existsSync(path)) {
    console.log(`${model}: ${path} is absent (npm run get-models)`);
    continue;
  }
  for (const params of [{ pruning_target: 0.4 }, { pruning_flops_target: 0.3 }]) {
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 224, 224] }, compression: { algorithm: 'filter_pruning', params: { schedule: 'baseline', ...params } } });
    const r = await createCompressedModel(await loadOnnxModel(path), config);
    const c = r.controller as FilterPruningController;
    c.scheduler.epochStep();
    const s = c.statistics().values as Record<string, number>;
    const key = Object.entries(params).map(([k, v]) => `${k} ${v}`).join('');
    rows.push(`| ${model} | ${key} | ${c.groups.length} | ${(s.full_flops / 1e9).toFixed(4)} → ${(s.current_flops / 1e9).toFixed(4)} (${s.flops_pruning_level.toFixed(3)}) | ${(s.full_params_num / 1e6).toFixed(4)} → ${(s.current_params_num / 1e6).toFixed(4)} (${s.params_pruning_level.toFixed(3)}) | ${s.full_filters_num} → ${s.current_filters_num} |`);
    r.controller.dispose();
  }
}
console.log('| model | target | groups | GFLOPs full → current (pruned share) | M params full → current (pruned share) | filters |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
