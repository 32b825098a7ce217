export { parseOnnx, loadOnnxModel, type ParseOptions } from './parse.js';
export { ModelLoadError, assertSupported } from '../../graph/shape-inference/index.js';
