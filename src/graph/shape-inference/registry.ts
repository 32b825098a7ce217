import type { ShapeRule } from './context.js';
import { convRules } from './conv.js';
import { elementwiseRules } from './elementwise.js';
import { matmulRules } from './matmul.js';
import { quantizeRules } from './quantize.js';
import { reduceRules } from './reduce.js';
import { reshapeRules } from './reshape.js';
import { resizeRules } from './resize.js';
import { shapeOpRules } from './shape-ops.js';
import { slicingRules } from './slicing.js';

/** Shape rules by op type (default ONNX domain). Adding an op = one entry in a family file. */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = Object.freeze({
  ...elementwiseRules,
  ...convRules,
  ...matmulRules,
  ...reshapeRules,
  ...shapeOpRules,
  ...slicingRules,
  ...reduceRules,
  ...resizeRules,
  ...quantizeRules,
});

/** Op types whose output shapes we can infer. */
export const SHAPE_INFERENCE_OPS: ReadonlySet<string> = new Set(Object.keys(SHAPE_RULES));
