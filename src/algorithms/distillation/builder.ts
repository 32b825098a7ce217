import type { BuildContext, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../compression/index.js';
import type { ResolvedAlgorithmSection, ResolvedKnowledgeDistillation } from '../../config/index.js';
import { Engine } from '../../engine/index.js';
import { KnowledgeDistillationController } from './controller.js';

export class KnowledgeDistillationError extends Error {
  constructor(message: string) {
    super(`knowledge_distillation: ${message}`);
    this.name = 'KnowledgeDistillationError';
  }
}

/**
 * Builds the teacher when applied (the model's weights are still the original ones then, before any
 * training or checkpoint load), and the controller after every algorithm has applied its commands.
 */
export class KnowledgeDistillationBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'knowledge_distillation';
  private teacher?: Engine;

  constructor(readonly section: ResolvedKnowledgeDistillation) {
    const { type } = section;
    if (type !== 'mse' && type !== 'softmax') throw new KnowledgeDistillationError(`unknown type ${JSON.stringify(type)} (expected "mse" or "softmax")`);
    if (type === 'mse' && section.temperature !== undefined)
      throw new KnowledgeDistillationError('"temperature" is only used by type "softmax"; remove it or use "type": "softmax"');
    if (!(section.scale >= 0)) throw new KnowledgeDistillationError(`scale must be a non-negative number, got ${section.scale}`);
    if (section.temperature !== undefined && !(section.temperature > 0))
      throw new KnowledgeDistillationError(`temperature must be a positive number, got ${section.temperature}`);
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    this.teacher = new Engine(model.graph);
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    if (!this.teacher) throw new KnowledgeDistillationError('buildController called before apply');
    const { type, scale, temperature } = this.section;
    return new KnowledgeDistillationController(model, this.teacher, { type, scale, temperature: temperature ?? 1 });
  }

  getBuilderState(): Record<string, unknown> {
    return {};
  }
}

export function knowledgeDistillationFactory(section: ResolvedAlgorithmSection): KnowledgeDistillationBuilder {
  if (section.algorithm !== 'knowledge_distillation') throw new KnowledgeDistillationError(`cannot build from a "${section.algorithm}" section`);
  return new KnowledgeDistillationBuilder(section);
}
