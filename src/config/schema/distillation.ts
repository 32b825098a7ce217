import { NUMBER, closed, oneOfStrings } from './primitives.js';
import { DISTILLATION_TYPES } from '../names.js';

/** `type` is the one key NNCF's schema really requires here. */
export const KNOWLEDGE_DISTILLATION_SCHEMA = closed(
  {
    algorithm: { const: 'knowledge_distillation' },
    type: oneOfStrings(DISTILLATION_TYPES),
    scale: NUMBER,
    temperature: NUMBER,
  },
  { required: ['algorithm', 'type'] },
);
