/** Hints for keys written in the wrong place: where the key belongs instead. */
import { keyLocations, renderContainer, type KeyLocation } from './key-locations.js';
import { segmentsToPath, valueAt, type PathSegment } from './json-path.js';
import { ALGORITHM_NAMES, type AlgorithmName } from './names.js';

interface Context {
  readonly algorithm: AlgorithmName | null;
  /** Rendered path of the algorithm entry (`compression[1]`), '' for the top level. */
  readonly prefix: string;
  /** Container segments relative to the entry (or to the top level). */
  readonly relative: readonly PathSegment[];
}

function contextOf(root: unknown, container: readonly PathSegment[]): Context {
  if (container[0] !== 'compression' || container.length < 1) {
    return { algorithm: null, prefix: '', relative: container };
  }
  const entryLength = typeof container[1] === 'number' ? 2 : 1;
  const entry = container.slice(0, entryLength);
  const name = valueAt(root, [...entry, 'algorithm']);
  const algorithm = (ALGORITHM_NAMES as readonly unknown[]).includes(name) ? (name as AlgorithmName) : null;
  return { algorithm, prefix: segmentsToPath(entry), relative: container.slice(entryLength) };
}

/** Renamed or restructured keys from older NNCF releases, answered specifically. */
function legacyHint(key: string, context: Context): string | undefined {
  const last = context.relative[context.relative.length - 1];
  if (key === 'num_init_steps' && last === 'initializer') {
    if (context.algorithm === 'filter_pruning') {
      return `"num_init_steps" belongs in params: ${context.prefix}.params.num_init_steps`;
    }
    return (
      '"num_init_steps" is not an initializer key: range initialization is configured in ' +
      `${context.prefix || 'compression'}.initializer.range with "num_init_samples"`
    );
  }
  return undefined;
}

/** Where `key` belongs, given that it was found (and rejected) inside `container`. */
export function misplacedKeyHint(
  root: unknown,
  container: readonly PathSegment[],
  key: string,
): string | undefined {
  const context = contextOf(root, container);
  const legacy = legacyHint(key, context);
  if (legacy) return legacy;
  const locations = keyLocations(key);
  if (locations.length === 0) return undefined;
  const inside = context.prefix !== '';
  const simplestFirst = (a: KeyLocation, b: KeyLocation) => complexity(a) - complexity(b);
  const sameSection = locations
    .filter((l) => l.algorithm === context.algorithm && (inside || l.algorithm === null))
    .sort(simplestFirst);
  if (sameSection.length > 0) {
    const here = renderContainer(context.prefix, sameSection[0].container, key);
    return `"${key}" belongs at ${here}`;
  }
  const byAlgorithm = locations.filter(
    (l): l is KeyLocation & { algorithm: AlgorithmName } => l.algorithm !== null,
  );
  if (byAlgorithm.length > 0) {
    const names = [...new Set(byAlgorithm.map((l) => l.algorithm))];
    const where = renderContainer('compression[]', byAlgorithm[0].container, key);
    const owner = context.algorithm ?? (inside ? 'this section' : 'the top level');
    return `"${key}" is a key of ${names.join(', ')} (at ${where}), not of ${owner}`;
  }
  return `"${key}" is a top-level key: ${renderContainer('', locations[0].container, key)}`;
}

/** Prefer the plain-object form of a place over its list form (range object vs. range list). */
function complexity(location: KeyLocation): number {
  return (
    location.container.filter((segment) => segment === '[]' || segment === '*').length * 100 +
    location.container.length
  );
}

/** Algorithm keys that people put at the (open) top level, where NNCF silently ignores them. */
export const ALGORITHM_KEYS_MISTAKEN_FOR_TOP_LEVEL = [
  'algorithm',
  'preset',
  'quantize_inputs',
  'quantize_outputs',
  'overflow_fix',
  'export_to_onnx_standard_ops',
  'scope_overrides',
  'sparsity_init',
  'pruning_init',
  'initializer',
] as const;
