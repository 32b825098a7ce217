import { registerAlgorithm } from '../../compression/index.js';
import type { ResolvedQuantization } from '../../config/index.js';
import { QuantizationBuilder } from './builder.js';

registerAlgorithm('quantization', (section, config) => new QuantizationBuilder(section as ResolvedQuantization, config));

