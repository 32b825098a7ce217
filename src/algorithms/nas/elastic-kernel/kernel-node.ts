/**
 * The elastic kernel as a compression-domain graph node, so a supernet with elastic kernels trains on
 * ONNX Runtime. Inputs: the full filter W [O, I, K, K]; the learned transforms, largest first
 * (K→K−2, K−2→K−4, …, each [k², k²], trainable); a one-hot `flags` vector over the sizes (fed).
 *
 * Forward: F₀ = W; F_j = reshape(crop_j(F_{j−1}) · M_jᵀ) (centre crop to the next size, NNCF's
 * F.linear on each flattened filter); y = Σ_j flag_j · pad(F_j) back to K×K. Every size is computed and
 * the flags pick one, so activating another kernel size is a new `flags` value — no recompile.
 * Backward (y is linear in W and in each M_j): dF_j = flag_j · crop(dy) + pad(dX_{j+1});
 * dM_j = dY_jᵀ · X_j and dX_j = dY_j · M_j with X_j the flattened crop and dY_j the flattened dF_j.
 */
import { registerGradientRule, type GraphEmitter } from '../../../autodiff/index.js';
import { COMPRESSION_DOMAIN, type CompressionNodeForm } from '../../../compression/index.js';
import type { GraphNode } from '../../../graph/index.js';
import type { ElasticKernelOp } from './elastic-kernel-op.js';

export const ELASTIC_KERNEL_OP = 'ElasticKernel';

/** The node form of one op: its matrices (trainable) and its one-hot flags (fed, kept in step with activeKernel). */
export function kernelNodeForm(op: ElasticKernelOp, owner: string): CompressionNodeForm {
  const sizes = op.sizesDescending();
  const matrices = sizes.slice(1).map((dst, j) => {
    const key = `${sizes[j]}to${dst}`;
    return { name: `${owner}/${op.node}/${key}_matrix`, value: op.matrices.get(key)!, trainable: true };
  });
  return {
    opType: ELASTIC_KERNEL_OP,
    attributes: { sizes: { type: 'ints', value: sizes } },
    inputs: [...matrices, { name: `${owner}/${op.node}/flags`, value: op.flags, trainable: false }],
  };
}

function sizesOf(node: GraphNode): number[] {
  const a = node.attributes.sizes;
  if (a?.type !== 'ints') throw new Error(`${ELASTIC_KERNEL_OP} node ${node.name} has no sizes attribute`);
  return a.value.map(Number);
}

/** Zero-pads the two spatial dims of a rank-4 tensor by p on each side (Pad's pads became an input in opset 11). */
function padSpatial(emit: GraphEmitter, x: string, p: number, base: string): string {
  const pads = [0, 0, p, p, 0, 0, p, p];
  return emit.opset >= 11 ? emit.op('Pad', [x, emit.ints(pads)], {}, base) : emit.op('Pad', [x], { pads }, base);
}

/** The centre s×s of the K×K spatial dims. */
function cropSpatial(emit: GraphEmitter, x: string, K: number, s: number, base: string): string {
  const a = (K - s) / 2;
  return a === 0 ? x : emit.slice(x, [a, a], [a + s, a + s], [2, 3], undefined, base);
}

registerGradientRule(
  {
    opTypes: [ELASTIC_KERNEL_OP],
    parameterPorts: [0],
    forward: ({ emit, node, shape }) => {
      const sizes = sizesOf(node);
      const K = sizes[0];
      const [O, I] = shape(node.inputs[0]) as number[];
      const flagsIn = node.inputs[sizes.length];
      const saved: Record<string, string> = {};
      const terms: string[] = [];
      let current = node.inputs[0];
      sizes.forEach((s, j) => {
        const flag = emit.slice(flagsIn, [j], [j + 1], [0], undefined, node.name);
        saved[`flag${j}`] = flag;
        if (j > 0) {
          const x = emit.reshape(cropSpatial(emit, current, sizes[j - 1], s, node.name), [-1, s * s], node.name);
          saved[`x${j}`] = x;
          const y = emit.op('Gemm', [x, node.inputs[j]], { transB: 1 }, node.name);
          current = emit.reshape(y, [O, I, s, s], node.name);
        }
        const full = s === K ? current : padSpatial(emit, current, (K - s) / 2, node.name);
        terms.push(emit.op('Mul', [full, flag], {}, node.name));
      });
      emit.nodeOutputs('Sum', terms, {}, [node.outputs[0]], node.name);
      return { saved };
    },
    backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
      const sizes = sizesOf(node);
      const K = sizes[0];
      const [O, I] = shape(node.inputs[0]) as number[];
      const dy = dOutputs[0]!;
      const grads: (string | undefined)[] = new Array<string | undefined>(node.inputs.length).fill(undefined);
      // walk from the smallest size up: dF_j = flag_j · crop_j(dy) + (chain from j + 1)
      let chain: string | undefined;
      for (let j = sizes.length - 1; j >= 0; j--) {
        const s = sizes[j];
        const own = emit.op('Mul', [cropSpatial(emit, dy, K, s, node.name), saved[`flag${j}`]], {}, node.name);
        const dF = chain ? emit.op('Add', [own, chain], {}, node.name) : own;
        if (j === 0) {
          grads[0] = needs[0] ? dF : undefined;
          break;
        }
        const dY = emit.reshape(dF, [-1, s * s], node.name);
        if (needs[j]) grads[j] = emit.op('Gemm', [dY, saved[`x${j}`]], { transA: 1 }, node.name);
        const dX = emit.op('MatMul', [dY, node.inputs[j]], {}, node.name);
        chain = padSpatial(emit, emit.reshape(dX, [O, I, s, s], node.name), (sizes[j - 1] - s) / 2, node.name);
      }
      return grads;
    },
  },
  COMPRESSION_DOMAIN,
);
