// One file per op family; importing this module registers every rule.
import './batch-norm.js';
import './clip.js';
import './concat.js';
import './conv.js';
import './elementwise.js';
import './gemm.js';
import './layer-norm.js';
import './matmul.js';
import './pool.js';
import './reduce.js';
import './relu.js';
import './reshape.js';
import './softmax.js';
import './transpose.js';
import './unary-math.js';
