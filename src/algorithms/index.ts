// One import line per algorithm module; each registers itself with registerAlgorithm.
import './distillation/index.js';
import './quantization/register.js';
import './pruning/index.js';
