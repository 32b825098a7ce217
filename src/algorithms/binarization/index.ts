import { registerAlgorithm } from '../../compression/index.js';
import { binarizationFactory } from './builder.js';

export { BinarizationBuilder } from './builder.js';
export { BinarizationController, setBinarizationExportFormat } from './controller.js';
export { LayerBinarizers, type BinarizedLayer } from './binarizers.js';
export { binarizeActivation, binarizeActivationValue, binarizeWeight, binarizeWeightValue, initialScale, roundHalfEven, type BinarizationMode } from './binarize-ops.js';
export { BINARIZE_ACTIVATION_OP, BINARIZE_WEIGHT_OP } from './binarize-nodes.js';
export { writeBinarization, type BinarizationExportFormat } from './export.js';
export { BinarizationError, binarizableLayers } from './layers.js';

registerAlgorithm('binarization', binarizationFactory);
