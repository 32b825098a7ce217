/**
 * Scope matching as NNCF does it (config-reference §3):
 *  - a pattern containing `{re}` anywhere: every `{re}` is removed and the rest is a regular
 *    expression with search semantics (matches anywhere, not anchored);
 *  - otherwise exact string equality;
 *  - a name is considered iff (target absent OR it matches a target) AND it matches no ignored pattern;
 *    `target_scopes: []` (present but empty) therefore considers nothing.
 */

export type ScopeList = string | readonly string[] | undefined | null;

const RE_MARK = '{re}';

export class ScopeError extends Error {
  override name = 'ScopeError';
}

const regexCache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    const body = pattern.split(RE_MARK).join('');
    try {
      re = new RegExp(body);
    } catch (e) {
      throw new ScopeError(`invalid regular expression in scope pattern "${pattern}": ${(e as Error).message}`);
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** Normalizes `string | string[]` (NNCF accepts both) into a list; null/undefined stay absent. */
export function scopeList(scopes: ScopeList): string[] | undefined {
  if (scopes === undefined || scopes === null) return undefined;
  return typeof scopes === 'string' ? [scopes] : [...scopes];
}

export function matchesScope(name: string, pattern: string): boolean {
  if (pattern.includes(RE_MARK)) return compile(pattern).test(name);
  return name === pattern;
}

export function matchesAny(name: string, patterns: ScopeList): boolean {
  const list = scopeList(patterns);
  return list !== undefined && list.some((p) => matchesScope(name, p));
}

export interface ScopeFilter {
  ignoredScopes?: ScopeList;
  targetScopes?: ScopeList;
}

/** NNCF `should_consider_scope`. */
export function shouldConsiderScope(name: string, filter: ScopeFilter): boolean {
  const target = scopeList(filter.targetScopes);
  if (target !== undefined && !target.some((p) => matchesScope(name, p))) return false;
  return !matchesAny(name, filter.ignoredScopes);
}

/**
 * Group-level scopes in quantization: effective ignored = group ignored ++ algorithm ignored;
 * effective target = group target if given, else algorithm target.
 */
export function effectiveGroupScopes(algorithm: ScopeFilter, group: ScopeFilter | undefined): ScopeFilter {
  const ignored = [...(scopeList(group?.ignoredScopes) ?? []), ...(scopeList(algorithm.ignoredScopes) ?? [])];
  const groupTarget = scopeList(group?.targetScopes);
  return {
    ignoredScopes: ignored.length > 0 ? ignored : undefined,
    targetScopes: groupTarget !== undefined ? groupTarget : scopeList(algorithm.targetScopes),
  };
}

export interface UnmatchedScopes {
  ignored: string[];
  target: string[];
}

/** Patterns of `filter` that match none of `names`. */
export function unmatchedScopes(names: Iterable<string>, filter: ScopeFilter): UnmatchedScopes {
  const all = [...names];
  const miss = (list: ScopeList) => (scopeList(list) ?? []).filter((p) => !all.some((n) => matchesScope(n, p)));
  return { ignored: miss(filter.ignoredScopes), target: miss(filter.targetScopes) };
}

/**
 * validate_scopes: with `validate` true (the NNCF default) any pattern matching no name is an error
 * that lists every such pattern; with false the unmatched patterns are only returned (for logging).
 */
export function validateScopes(
  names: Iterable<string>,
  filter: ScopeFilter,
  validate = true,
  where = '',
): UnmatchedScopes {
  const un = unmatchedScopes(names, filter);
  if (validate && (un.ignored.length > 0 || un.target.length > 0)) {
    const parts: string[] = [];
    if (un.ignored.length > 0) parts.push(`ignored_scopes patterns that match no node: ${JSON.stringify(un.ignored)}`);
    if (un.target.length > 0) parts.push(`target_scopes patterns that match no node: ${JSON.stringify(un.target)}`);
    const prefix = where ? `${where}: ` : '';
    throw new ScopeError(
      `${prefix}${parts.join('; ')} (set "validate_scopes": false to only warn; patterns are exact names unless they contain "{re}")`,
    );
  }
  return un;
}
