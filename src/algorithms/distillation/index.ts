import { registerAlgorithm } from '../../compression/index.js';
import { knowledgeDistillationFactory } from './builder.js';

export { KnowledgeDistillationBuilder, KnowledgeDistillationError, knowledgeDistillationFactory } from './builder.js';
export { KnowledgeDistillationController, type KdParams } from './controller.js';
export { kdOutputLoss, type KdType } from './kd-loss.js';

registerAlgorithm('knowledge_distillation', knowledgeDistillationFactory);
