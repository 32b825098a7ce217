/** Tiny ONNX models encoded directly as ModelProto objects (no builder needed). */
import { encodeModelProto, type ModelProto, type TensorProto } from '../../src/graph/onnx-proto/index.js';

const FLOAT = 1;
const dims = (shape: (number | string)[]) => ({ dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) });
export const valueInfo = (name: string, shape: (number | string)[], elemType = FLOAT) => ({
  name,
  type: { tensor_type: { elem_type: elemType, shape: dims(shape) } },
});
export const floatTensor = (name: string, shape: number[], values: number[]): TensorProto => ({
  name,
  data_type: FLOAT,
  dims: shape,
  float_data: values,
});

function model(graph: ModelProto['graph'], opset = 17): Uint8Array {
  return encodeModelProto({ ir_version: 8, producer_name: 'nncf-ts-test', opset_import: [{ domain: '', version: opset }], graph });
}

/** y = Relu(x) · w + b with x: [N, 3], w = [1, 2, 3], b = [0.5, 0.5, 0.5]; intermediate 'relu' and 'mul'. */
export function affineModel(): Uint8Array {
  return model({
    name: 'affine',
    node: [
      { name: 'relu_node', op_type: 'Relu', input: ['x'], output: ['relu'] },
      { name: 'mul_node', op_type: 'Mul', input: ['relu', 'w'], output: ['mul'] },
      { name: 'add_node', op_type: 'Add', input: ['mul', 'b'], output: ['y'] },
    ],
    initializer: [floatTensor('w', [3], [1, 2, 3]), floatTensor('b', [3], [0.5, 0.5, 0.5])],
    input: [valueInfo('x', ['N', 3])],
    output: [valueInfo('y', ['N', 3])],
  });
}

/** Two inputs a [2], bi [2] (int64): outputs sum = a + a and cast = Cast(bi → float). */
export function twoInputModel(): Uint8Array {
  return model({
    name: 'two',
    node: [
      { name: 'add', op_type: 'Add', input: ['a', 'a'], output: ['sum'] },
      { name: 'cast', op_type: 'Cast', input: ['bi'], output: ['cast'], attribute: [{ name: 'to', type: 2, i: FLOAT }] },
    ],
    input: [valueInfo('a', [2]), valueInfo('bi', [2], 7)],
    output: [valueInfo('sum', [2]), valueInfo('cast', [2])],
  });
}

/** Conv(1→2, 3×3, pad 1) → BatchNormalization → Relu on [1, 1, 4, 4]: ORT folds BN and fuses Relu. */
export function convBnReluModel(): Uint8Array {
  const w = Array.from({ length: 18 }, (_, i) => ((i % 5) - 2) / 4);
  return model({
    name: 'cbr',
    node: [
      { name: 'conv', op_type: 'Conv', input: ['x', 'w'], output: ['c'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
      { name: 'bn', op_type: 'BatchNormalization', input: ['c', 'g', 'beta', 'mean', 'var'], output: ['n'] },
      { name: 'relu', op_type: 'Relu', input: ['n'], output: ['y'] },
    ],
    initializer: [
      floatTensor('w', [2, 1, 3, 3], w),
      floatTensor('g', [2], [1, 2]),
      floatTensor('beta', [2], [0.1, -0.1]),
      floatTensor('mean', [2], [0.2, 0]),
      floatTensor('var', [2], [1, 4]),
    ],
    input: [valueInfo('x', [1, 1, 4, 4])],
    output: [valueInfo('y', [1, 2, 4, 4])],
  });
}
