/** Gradient rules keyed by op type. Registering an op twice throws; a lookup miss names the op and node. */
import type { GraphNode } from '../graph/types.js';
import { AutodiffError, MissingGradientRuleError } from './errors.js';
import type { GradientRule } from './rule.js';

const rules = new Map<string, GradientRule>();

const key = (opType: string, domain = '') => (domain ? `${domain}::${opType}` : opType);

export function registerGradientRule(rule: GradientRule, domain = ''): void {
  for (const op of rule.opTypes) {
    if (rules.has(key(op, domain))) throw new AutodiffError(`a gradient rule for ${op} is registered twice`);
    rules.set(key(op, domain), rule);
  }
}

export function findGradientRule(node: Pick<GraphNode, 'opType' | 'domain'>): GradientRule | undefined {
  return rules.get(key(node.opType, node.domain));
}

export function gradientRuleFor(node: GraphNode): GradientRule {
  const rule = findGradientRule(node);
  if (rule) return rule;
  const lower = node.opType.toLowerCase();
  const hint = [...rules.keys()].find((k) => k.toLowerCase() === lower);
  throw new MissingGradientRuleError([{ opType: node.opType, nodeName: node.name, hint }]);
}

/** Op types that have a rule (for messages and tests). */
export function opsWithGradientRules(): string[] {
  return [...rules.keys()].sort();
}
