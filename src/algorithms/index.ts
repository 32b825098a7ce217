// One import line per algorithm module; each registers itself with registerAlgorithm.
import './distillation/index.js';
import './quantization/register.js';
// Gradient rules of the shared compression nodes (Mask), used by several algorithms.
import './common/mask-node.js';
import './sparsity/index.js';
import './binarization/index.js';
import './pruning/index.js';
