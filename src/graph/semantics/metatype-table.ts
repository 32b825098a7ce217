/**
 * The closed set of metatypes, as data. A metatype groups ONNX op types that behave the same for
 * compression (NNCF's OperatorMetatype). Each row says:
 *  - `hwConfigNames`: the op names used by hardware configs (NNCF `hw_config_names`);
 *  - `defaultTrait`: the quantization trait used without a HW config, or when the HW config says
 *    nothing usable (NNCF v2.19 `DEFAULT_PT_QUANT_TRAIT_TO_OP_DICT`; absent → non_quantizable);
 *  - `weight`: which input holds the weight and which weight axis is the output channel.
 * Attribute-dependent choices (Conv rank, depthwise, MatMul with a constant weight…) live in
 * `metatypes.ts`; this file only lists facts.
 */

export type QuantizationTrait =
  | 'inputs_quantizable'
  | 'quantization_agnostic'
  | 'concat'
  | 'output_quantization_as_weights'
  | 'non_quantizable';

export interface WeightSpec {
  /** Input port holding the weight tensor. */
  port: number;
  /** Output-channel axis of the weight ('last' = rank-1, used by MatMul weights [K, N]). */
  channelAxis: number | 'last';
}

export interface MetatypeInfo {
  hwConfigNames: readonly string[];
  defaultTrait?: QuantizationTrait;
  weight?: WeightSpec;
}

const IQ: QuantizationTrait = 'inputs_quantizable';
const AG: QuantizationTrait = 'quantization_agnostic';

const CONV_W: WeightSpec = { port: 1, channelAxis: 0 };

export const METATYPES = {
  Conv1d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: CONV_W },
  Conv2d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: CONV_W },
  Conv3d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: CONV_W },
  DepthwiseConv1d: { hwConfigNames: ['DepthWiseConvolution'], defaultTrait: IQ, weight: CONV_W },
  DepthwiseConv2d: { hwConfigNames: ['DepthWiseConvolution'], defaultTrait: IQ, weight: CONV_W },
  DepthwiseConv3d: { hwConfigNames: ['DepthWiseConvolution'], defaultTrait: IQ, weight: CONV_W },
  // NNCF quantizes transposed-conv weights along dim 1 (ONNX/torch weight layout [C_in, C_out/g, …]).
  ConvTranspose1d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: { port: 1, channelAxis: 1 } },
  ConvTranspose2d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: { port: 1, channelAxis: 1 } },
  ConvTranspose3d: { hwConfigNames: ['Convolution'], defaultTrait: IQ, weight: { port: 1, channelAxis: 1 } },
  /** Gemm, or MatMul whose second input is constant; the channel axis is fixed per node in metatypes.ts. */
  Linear: { hwConfigNames: ['MatMul'], defaultTrait: IQ, weight: { port: 1, channelAxis: 0 } },
  /** MatMul of two activations (attention scores, context). */
  MatMul: { hwConfigNames: ['MatMul'], defaultTrait: IQ },
  BatchNorm: { hwConfigNames: [], defaultTrait: IQ },
  LayerNorm: { hwConfigNames: ['MVN'], defaultTrait: IQ },
  GroupNorm: { hwConfigNames: ['GroupNormalization'] },
  InstanceNorm: { hwConfigNames: ['MVN'] },
  // Activations. v2.19 keeps single-input activations out of INPUTS_QUANTIZABLE (OpenVINO runs them
  // in FP32) and ReLU is deliberately not agnostic: quantizers stop below it.
  ReLU: { hwConfigNames: [] },
  /** Clip / Relu6: torch `hardtanh`. */
  HardTanh: { hwConfigNames: [] },
  LeakyReLU: { hwConfigNames: [] },
  PReLU: { hwConfigNames: [] },
  ELU: { hwConfigNames: [] },
  Sigmoid: { hwConfigNames: [] },
  Tanh: { hwConfigNames: [] },
  HardSigmoid: { hwConfigNames: [] },
  HardSwish: { hwConfigNames: [] },
  Gelu: { hwConfigNames: [] },
  Swish: { hwConfigNames: [] },
  Erf: { hwConfigNames: [] },
  Exp: { hwConfigNames: [] },
  Sqrt: { hwConfigNames: [] },
  Softmax: { hwConfigNames: [] },
  Add: { hwConfigNames: ['Add'], defaultTrait: IQ },
  Sub: { hwConfigNames: ['Subtract'] },
  Mul: { hwConfigNames: ['Multiply'], defaultTrait: IQ },
  Div: { hwConfigNames: ['Divide'], defaultTrait: IQ },
  Pow: { hwConfigNames: ['Power'] },
  Maximum: { hwConfigNames: ['Maximum'], defaultTrait: AG },
  Minimum: { hwConfigNames: ['Minimum'], defaultTrait: AG },
  Comparison: { hwConfigNames: ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual'] },
  Logical: { hwConfigNames: ['LogicalOr', 'LogicalXor', 'LogicalAnd', 'LogicalNot'] },
  Concat: { hwConfigNames: ['Concat'], defaultTrait: 'concat' },
  MaxPool: { hwConfigNames: ['MaxPool'], defaultTrait: AG },
  AvgPool: { hwConfigNames: ['AvgPool'], defaultTrait: IQ },
  GlobalAvgPool: { hwConfigNames: ['AvgPool'], defaultTrait: IQ },
  GlobalMaxPool: { hwConfigNames: ['MaxPool'], defaultTrait: AG },
  ReduceMean: { hwConfigNames: ['ReduceMean'], defaultTrait: IQ },
  ReduceMax: { hwConfigNames: ['ReduceMax'], defaultTrait: AG },
  ReduceSum: { hwConfigNames: ['ReduceSum'] },
  ReduceL2: { hwConfigNames: ['ReduceL2'] },
  Reshape: { hwConfigNames: ['Reshape'], defaultTrait: AG },
  Flatten: { hwConfigNames: ['Flatten'], defaultTrait: AG },
  Squeeze: { hwConfigNames: ['Squeeze'], defaultTrait: AG },
  Unsqueeze: { hwConfigNames: ['Unsqueeze'], defaultTrait: AG },
  Transpose: { hwConfigNames: ['Transpose'], defaultTrait: AG },
  Split: { hwConfigNames: ['Split', 'VariadicSplit'], defaultTrait: AG },
  Slice: { hwConfigNames: ['StridedSlice', 'Slice'], defaultTrait: AG },
  /** Gather over an activation (torch `__getitem__`/`index_select`). */
  Gather: { hwConfigNames: [], defaultTrait: AG },
  Tile: { hwConfigNames: ['Tile'], defaultTrait: AG },
  Expand: { hwConfigNames: ['Broadcast'], defaultTrait: AG },
  Pad: { hwConfigNames: ['Pad'], defaultTrait: AG },
  DepthToSpace: { hwConfigNames: [], defaultTrait: IQ },
  Dropout: { hwConfigNames: [], defaultTrait: AG },
  Identity: { hwConfigNames: [], defaultTrait: AG },
  /** Gather on a constant table (torch `embedding`): the table is the weight. */
  Embedding: { hwConfigNames: ['Embedding'], defaultTrait: 'output_quantization_as_weights', weight: { port: 0, channelAxis: 0 } },
  Resize: { hwConfigNames: ['Interpolate'] },
  Round: { hwConfigNames: [], defaultTrait: IQ },
  /** Shape-subgraph and type ops: produce integers or metadata; never quantized. */
  Shape: { hwConfigNames: [] },
  Cast: { hwConfigNames: [] },
  Constant: { hwConfigNames: [] },
  Where: { hwConfigNames: [] },
  Unknown: { hwConfigNames: [] },
} as const satisfies Record<string, MetatypeInfo>;

export type Metatype = keyof typeof METATYPES;

export function metatypeInfo(m: Metatype): MetatypeInfo {
  return METATYPES[m];
}

/** ONNX op type → metatype for ops whose metatype does not depend on attributes or constness. */
export const ONNX_OP_METATYPE: Readonly<Record<string, Metatype>> = {
  BatchNormalization: 'BatchNorm',
  LayerNormalization: 'LayerNorm',
  GroupNormalization: 'GroupNorm',
  InstanceNormalization: 'InstanceNorm',
  MeanVarianceNormalization: 'InstanceNorm',
  Relu: 'ReLU',
  Clip: 'HardTanh',
  LeakyRelu: 'LeakyReLU',
  PRelu: 'PReLU',
  Elu: 'ELU',
  Selu: 'ELU',
  Celu: 'ELU',
  ThresholdedRelu: 'ReLU',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  HardSigmoid: 'HardSigmoid',
  HardSwish: 'HardSwish',
  Gelu: 'Gelu',
  Mish: 'Swish',
  Erf: 'Erf',
  Exp: 'Exp',
  Log: 'Exp',
  Sqrt: 'Sqrt',
  Reciprocal: 'Sqrt',
  Neg: 'Unknown',
  Abs: 'Unknown',
  Softmax: 'Softmax',
  LogSoftmax: 'Softmax',
  Add: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  Div: 'Div',
  Pow: 'Pow',
  Max: 'Maximum',
  Min: 'Minimum',
  Less: 'Comparison',
  LessOrEqual: 'Comparison',
  Greater: 'Comparison',
  GreaterOrEqual: 'Comparison',
  Equal: 'Comparison',
  Or: 'Logical',
  Xor: 'Logical',
  And: 'Logical',
  Not: 'Logical',
  Concat: 'Concat',
  MaxPool: 'MaxPool',
  AveragePool: 'AvgPool',
  GlobalAveragePool: 'GlobalAvgPool',
  GlobalMaxPool: 'GlobalMaxPool',
  ReduceMean: 'ReduceMean',
  ReduceMax: 'ReduceMax',
  ReduceSum: 'ReduceSum',
  ReduceL2: 'ReduceL2',
  Reshape: 'Reshape',
  Flatten: 'Flatten',
  Squeeze: 'Squeeze',
  Unsqueeze: 'Unsqueeze',
  Transpose: 'Transpose',
  Split: 'Split',
  Slice: 'Slice',
  Tile: 'Tile',
  Expand: 'Expand',
  Pad: 'Pad',
  DepthToSpace: 'DepthToSpace',
  SpaceToDepth: 'DepthToSpace',
  Dropout: 'Dropout',
  Identity: 'Identity',
  Resize: 'Resize',
  Upsample: 'Resize',
  Round: 'Round',
  Shape: 'Shape',
  Size: 'Shape',
  ConstantOfShape: 'Shape',
  Range: 'Shape',
  ArgMax: 'Shape',
  ArgMin: 'Shape',
  NonZero: 'Shape',
  Cast: 'Cast',
  CastLike: 'Cast',
  Constant: 'Constant',
  Where: 'Where',
};
