import { registerAlgorithm } from '../../compression/index.js';
import { constSparsityFactory } from './const/const-sparsity.js';
import { magnitudeSparsityFactory } from './magnitude/builder.js';
import { movementSparsityFactory } from './movement/builder.js';
import { rbSparsityFactory } from './rb/builder.js';

export { SparsityConfigError, SparsityControllerBase, type SparsityMode } from './base-controller.js';
export { ConstSparsityBuilder, ConstSparsityController } from './const/const-sparsity.js';
export { sparsifiableLayers, SparsityLayerError, type SparsifiableLayer } from './layers.js';
export { MagnitudeSparsityBuilder } from './magnitude/builder.js';
export { MagnitudeSparsityController } from './magnitude/controller.js';
export { binaryMask, importance, selectThreshold, type WeightImportance } from './magnitude/importance.js';
export { MaskedWeight } from './mask.js';
export { RBSparsityBuilder } from './rb/builder.js';
export { RBSparsityController } from './rb/controller.js';
export { RBSparsityLoss } from './rb/loss.js';
export { RBMaskedWeight, RB_MASK_OP, stThreshold } from './rb/rb-mask.js';
export { rbNoise } from './rb/noise.js';
export * from './movement/index.js';
export * from './schedulers.js';
export * from './schedules.js';
export { collectSparsityStatistics, type SparsifiedModelStatistics } from './statistics.js';

registerAlgorithm('magnitude_sparsity', magnitudeSparsityFactory);
registerAlgorithm('const_sparsity', constSparsityFactory);
registerAlgorithm('rb_sparsity', rbSparsityFactory);
registerAlgorithm('movement_sparsity', movementSparsityFactory);
