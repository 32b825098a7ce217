/**
 * BatchNormalization in train mode, written out so the backward can reuse x̂ and 1/σ: batch mean and
 * biased, centred variance over every axis but the channel; running statistics updated with ONNX
 * momentum semantics (running·m + batch·(1−m)), as the tfjs engine does. Backward in closed form:
 * dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
 */
import { floatAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';

function channelAxes(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

registerGradientRule({
  opTypes: ['BatchNormalization'],
  parameterPorts: [1, 2],
  statePorts: [3, 4],
  forward: ({ emit, node, shape }) => {
    const [x, scale, bias, runMean, runVar] = node.inputs;
    const rank = shape(x).length;
    const channels = shape(scale)[0];
    if (rank < 2 || typeof channels !== 'number') throw new AutodiffError(`${node.name}: BatchNormalization needs a known rank and channel count`);
    const eps = floatAttr(node, 'epsilon', 1e-5);
    const momentum = floatAttr(node, 'momentum', 0.9);
    const axes = channelAxes(rank);
    const base = node.name;
    const bcast = [1, channels, ...Array<number>(rank - 2).fill(1)];
    const mean = emit.reduceMean(x, axes, true, base);
    const centred = emit.op('Sub', [x, mean], {}, base);
    const variance = emit.reduceMean(emit.op('Mul', [centred, centred], {}, base), axes, true, base);
    const invStd = emit.op('Reciprocal', [emit.op('Sqrt', [emit.op('Add', [variance, emit.floats([eps], [])], {}, base)], {}, base)], {}, base);
    const xHat = emit.op('Mul', [centred, invStd], {}, base);
    const gamma = emit.reshape(scale, bcast, base);
    emit.nodeOutputs('Add', [emit.op('Mul', [xHat, gamma], {}, base), emit.reshape(bias, bcast, base)], {}, [node.outputs[0]], base);
    const blend = (running: string, batch: string) =>
      emit.op('Add', [
        emit.op('Mul', [running, emit.floats([momentum], [])], {}, base),
        emit.op('Mul', [emit.reshape(batch, [channels], base), emit.floats([1 - momentum], [])], {}, base),
      ], {}, base);
    return {
      saved: { xHat, invStd, gamma },
      stateUpdates: { [runMean]: blend(runMean, mean), [runVar]: blend(runVar, variance) },
    };
  },
  backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
    const dy = dOutputs[0]!;
    const axes = channelAxes(shape(node.inputs[0]).length);
    const base = node.name;
    const dyXHat = emit.op('Mul', [dy, saved.xHat], {}, base);
    const dScale = needs[1] ? emit.reduceSum(dyXHat, axes, false, base) : undefined;
    const dBias = needs[2] ? emit.reduceSum(dy, axes, false, base) : undefined;
    let dx: string | undefined;
    if (needs[0]) {
      const meanDy = emit.reduceMean(dy, axes, true, base);
      const meanDyXHat = emit.reduceMean(dyXHat, axes, true, base);
      const inner = emit.op('Sub', [emit.op('Sub', [dy, meanDy], {}, base), emit.op('Mul', [saved.xHat, meanDyXHat], {}, base)], {}, base);
      dx = emit.op('Mul', [inner, emit.op('Mul', [saved.gamma, saved.invStd], {}, base)], {}, base);
    }
    return [dx, dScale, dBias, undefined, undefined];
  },
});
