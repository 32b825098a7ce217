import { registerAlgorithm } from '../../compression/index.js';
import type { ResolvedQuantization } from '../../config/index.js';
import { QuantizationBuilder } from './builder.js';
import { QuantizationSetupError } from './modules.js';

registerAlgorithm('quantization', (section, config) => new QuantizationBuilder(section as ResolvedQuantization, config));

// NNCF's experimental_quantization builds its setup and statistics with the post-training MinMax
// pipeline (nncf.quantize), not with this builder's placement + initializer semantics.
registerAlgorithm('experimental_quantization', () => {
  throw new QuantizationSetupError(
    'experimental_quantization is not supported by nncf-ts: NNCF builds it with its post-training MinMax pipeline, whose semantics differ from "quantization"; use "algorithm": "quantization"',
  );
});
