/**
 * `optimizer.parameter_groups` of NNCF's sample scripts (examples/torch/common/optimizer.py,
 * get_parameter_groups): each trainable variable is named, then trains with the first group whose regex
 * is found in its name; a variable in no group is not trained (torch never sees it). Names: a model
 * weight is its ONNX initializer name; a compression parameter is its node-form input name (RB mask
 * logits `rb_sparsity/<weight>._mask`, so NNCF's `.*\._mask` finds them).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../compression/index.js';
import { TrainingConfigError } from './errors.js';
import type { ParamGroups } from './optimizers/index.js';
import type { OptimizerSettings } from './settings.js';

/** The name of each variable (undefined for one neither a weight nor a trainable node-form input). */
export function variableNames(model: CompressedModel, variables: readonly tf.Variable[]): (string | undefined)[] {
  const byVariable = new Map<tf.Variable, string>();
  for (const w of model.engine.weights()) byVariable.set(w.variable, w.name);
  for (const c of model.commands())
    // only trainable inputs: a fed input's value may be a getter with side effects (RB's noise draw)
    for (const input of c.node?.inputs ?? []) if (input.trainable && !byVariable.has(input.value as tf.Variable)) byVariable.set(input.value as tf.Variable, input.name);
  return variables.map((v) => byVariable.get(v));
}

/** Per-variable LR scale (group lr / base_lr) and weight decay; an error for a group that matches nothing. */
export function paramGroupsFor(opt: OptimizerSettings, names: readonly (string | undefined)[]): ParamGroups | undefined {
  const groups = opt.groups;
  if (!groups) return undefined;
  const used = groups.map(() => false);
  const lrScale: number[] = [];
  const weightDecay: number[] = [];
  for (const name of names) {
    const g = name === undefined ? -1 : groups.findIndex((x) => x.re.test(name));
    if (g < 0) {
      lrScale.push(0);
      weightDecay.push(0);
      continue;
    }
    used[g] = true;
    lrScale.push(groups[g].lr / opt.baseLr);
    weightDecay.push(groups[g].weightDecay);
  }
  const unused = used.indexOf(false);
  if (unused >= 0)
    throw new TrainingConfigError(
      `optimizer.parameter_groups[${unused}].re`,
      `${JSON.stringify(groups[unused].re.source)} matches no trainable parameter before it is taken by an earlier group (names: ${names.filter((n) => n !== undefined).slice(0, 6).join(', ')}, …)`,
    );
  return { lrScale, weightDecay };
}
