// Data layer: plain typed-array tensors, file formats, datasets. Imports nothing else of the project.
export * from './errors.js';
export * from './ndarray.js';
export * from './transpose.js';
export * from './npy.js';
export * from './npz.js';
export * from './idx.js';
export * from './digits.js';
export * from './random.js';
export * from './stratify.js';
export * from './labels.js';
export * from './dataset.js';
export * from './preprocess.js';
export * from './fit.js';
export * from './loader.js';
export * from './gzip.js';
export { describeFsError } from './fs.js';
