/**
 * BatchNormalization in train mode: batch mean and biased, centred variance over every axis but the
 * channel; running statistics updated with ONNX momentum semantics (running·m + batch·(1−m)), as the
 * tfjs engine does. Backward in closed form: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂,
 * dβ = Σ dy. Every per-channel broadcast runs as an inference-form BatchNormalization (channelAffine):
 * ORT's Sub/Mul/Add broadcasting over [1, C, 1, 1] took 3–8 ms per layer on the Fashion CNN.
 */
import { floatAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import { channelAffine, channelAxes } from './channel-affine.js';

registerGradientRule({
  opTypes: ['BatchNormalization'],
  parameterPorts: [1, 2],
  statePorts: [3, 4],
  forward: ({ emit, node, shape }) => {
    const [x, scale, bias, runMean, runVar] = node.inputs;
    const rank = shape(x).length;
    const channels = shape(scale)[0];
    if (rank < 2 || typeof channels !== 'number')
      throw new AutodiffError(`${node.name}: BatchNormalization needs a known rank and channel count`);
    const eps = floatAttr(node, 'epsilon', 1e-5);
    const momentum = floatAttr(node, 'momentum', 0.9);
    const axes = channelAxes(rank);
    const base = node.name;
    const mean = emit.reduceMean(x, axes, false, base);
    const centred = channelAffine(emit, x, channels, { shift: emit.op('Neg', [mean], {}, base) }, base);
    const variance = emit.reduceMean(emit.op('Mul', [centred, centred], {}, base), axes, false, base);
    const invStd = emit.op(
      'Reciprocal',
      [emit.op('Sqrt', [emit.op('Add', [variance, emit.floats([eps], [])], {}, base)], {}, base)],
      {},
      base,
    );
    const xHat = channelAffine(emit, centred, channels, { scale: invStd }, base);
    // y = γ·x̂ + β, written to the node's own output name so consumers are unchanged.
    emit.nodeOutputs(
      'BatchNormalization',
      [
        xHat,
        scale,
        bias,
        emit.floats(new Float32Array(channels), [channels]),
        emit.floats(new Float32Array(channels).fill(1), [channels]),
      ],
      { epsilon: { float: 0 } },
      [node.outputs[0]],
      base,
    );
    const blend = (running: string, batch: string) =>
      emit.op(
        'Add',
        [
          emit.op('Mul', [running, emit.floats([momentum], [])], {}, base),
          emit.op('Mul', [batch, emit.floats([1 - momentum], [])], {}, base),
        ],
        {},
        base,
      );
    return {
      saved: { xHat, invStd },
      stateUpdates: { [runMean]: blend(runMean, mean), [runVar]: blend(runVar, variance) },
    };
  },
  backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
    const dy = dOutputs[0]!;
    const x = node.inputs[0];
    const rank = shape(x).length;
    const channels = shape(node.inputs[1])[0] as number;
    const axes = channelAxes(rank);
    const base = node.name;
    const sumDyXHat = emit.reduceSum(emit.op('Mul', [dy, saved.xHat], {}, base), axes, false, base);
    const sumDy = emit.reduceSum(dy, axes, false, base);
    let dx: string | undefined;
    if (needs[0]) {
      // Elements per channel, read at run time (the batch may be symbolic).
      const count = emit.op(
        'Div',
        [emit.op('Cast', [emit.op('Size', [x], {}, base)], { to: 1 }, base), emit.floats([channels], [])],
        {},
        base,
      );
      const k = emit.op('Mul', [node.inputs[1], saved.invStd], {}, base); // γ/σ
      const meanDy = emit.op('Div', [sumDy, count], {}, base);
      const meanDyXHat = emit.op('Div', [sumDyXHat, count], {}, base);
      // dx = k·dy + (−k·mean(dy·x̂))·x̂ + (−k·mean(dy))
      const fromDy = channelAffine(emit, dy, channels, { scale: k }, base);
      const fromXHat = channelAffine(
        emit,
        saved.xHat,
        channels,
        {
          scale: emit.op('Neg', [emit.op('Mul', [k, meanDyXHat], {}, base)], {}, base),
          shift: emit.op('Neg', [emit.op('Mul', [k, meanDy], {}, base)], {}, base),
        },
        base,
      );
      dx = emit.op('Add', [fromDy, fromXHat], {}, base);
    }
    return [dx, needs[1] ? sumDyXHat : undefined, needs[2] ? sumDy : undefined, undefined, undefined];
  },
});
