import { registerAlgorithm } from '../../compression/index.js';
import type { ResolvedQuantization } from '../../config/index.js';
import { QuantizationBuilder } from './builder.js';

registerAlgorithm('quantization', (section, config) => new QuantizationBuilder(section as ResolvedQuantization, config));

// NNCF's experimental_quantization is the same builder under another name; NNCFConfig.algorithms already
// reads such a section as quantization, so this entry only lists it among the built algorithms.
registerAlgorithm('experimental_quantization', (section, config) => new QuantizationBuilder(section as ResolvedQuantization, config));
