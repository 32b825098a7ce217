/**
 * `NNCFConfig`: a validated, read-only config with NNCF's defaults filled in, plus the runtime
 * objects (data loaders, evaluation functions) attached to it programmatically.
 */
import { ConfigValidationError, type ConfigIssue } from './errors.js';
import { readConfigFile, parseConfigText } from './load.js';
import { validateDocument, errorsOf } from './validate.js';
import { fillDefaults } from './fill-defaults.js';
import type { PathSegment } from './json-path.js';
import { ExtraStructRegistry, type ExtraStruct, type ExtraStructClass } from './extra-structs.js';
import { TOP_LEVEL_DEFAULTS } from './defaults.js';
import type { AlgorithmName, TargetDevice } from './names.js';
import type { NNCFConfigDocument, BootstrapNasSection, AccuracyAwareTrainingSection } from './types-root.js';
import type { InputInfoSection } from './types-common.js';
import type { ResolvedAlgorithmSection, ResolvedSectionByName } from './types-resolved.js';

type SectionOf<N extends AlgorithmName> = ResolvedSectionByName[N];

export class NNCFConfig {
  readonly #extraStructs = new ExtraStructRegistry();

  private constructor(
    /** The document as written (deep-frozen). */
    readonly document: NNCFConfigDocument,
    /** The document with every default filled in (deep-frozen). */
    readonly resolved: NNCFConfigDocument,
    /** Advice about keys NNCF would silently ignore. */
    readonly warnings: readonly ConfigIssue[],
    readonly file?: string,
  ) {}

  /** Validates a parsed object; throws `ConfigValidationError` listing every problem. */
  static fromObject(value: unknown): NNCFConfig {
    return NNCFConfig.#build(value, undefined, undefined);
  }

  /** Parses lenient JSON (comments, trailing commas) and validates it. */
  static fromText(text: string, file?: string): NNCFConfig {
    const { document, locate } = parseConfigText(text, file);
    return NNCFConfig.#build(document, file, locate);
  }

  static fromFile(file: string): NNCFConfig {
    return NNCFConfig.fromText(readConfigFile(file), file);
  }

  static #build(
    value: unknown,
    file: string | undefined,
    locate?: (s: readonly PathSegment[]) => object | undefined,
  ): NNCFConfig {
    const located = locateIssues(validateDocument(value), locate);
    const errors = errorsOf(located);
    if (errors.length > 0) throw new ConfigValidationError(errors, file);
    const document = deepFreeze(structuredClone(value) as NNCFConfigDocument);
    const resolved = deepFreeze(fillDefaults(document));
    return new NNCFConfig(
      document,
      resolved,
      located.filter((issue) => issue.severity === 'warning'),
      file,
    );
  }

  /** A top-level key of the resolved config (including training-script keys NNCF ignores). */
  get(key: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.resolved, key) ? this.resolved[key] : undefined;
  }

  get targetDevice(): TargetDevice {
    return this.resolved.target_device ?? TOP_LEVEL_DEFAULTS.target_device;
  }

  /** The device with the pre-2.9 alias resolved: `VPU` reads as `NPU`. */
  get normalizedTargetDevice(): Exclude<TargetDevice, 'VPU'> {
    const device = this.targetDevice;
    return device === 'VPU' ? 'NPU' : device;
  }

  /** Model inputs as a list (a single object is a one-element list); empty when absent. */
  get inputInfo(): readonly InputInfoSection[] {
    const info = this.resolved.input_info;
    if (info === undefined) return [];
    return Array.isArray(info) ? (info as readonly InputInfoSection[]) : [info as InputInfoSection];
  }

  /**
   * Algorithm sections in application order, with defaults filled in. An `experimental_quantization`
   * section reads as `quantization` (see asBuiltSection), so every reader of quantization keys sees it.
   */
  get algorithms(): readonly ResolvedAlgorithmSection[] {
    const compression = this.resolved.compression;
    if (compression === undefined) return [];
    return ((Array.isArray(compression) ? compression : [compression]) as readonly ResolvedAlgorithmSection[]).map(asBuiltSection);
  }

  algorithm<N extends AlgorithmName>(name: N): SectionOf<N> | undefined {
    return this.algorithms.find((section) => section.algorithm === name) as SectionOf<N> | undefined;
  }

  hasAlgorithm(name: AlgorithmName): boolean {
    return this.algorithm(name) !== undefined;
  }

  get accuracyAwareTraining(): AccuracyAwareTrainingSection | undefined {
    return this.resolved.accuracy_aware_training;
  }

  get bootstrapNAS(): BootstrapNasSection | undefined {
    return this.resolved.bootstrapNAS;
  }

  get logDir(): string | undefined {
    return this.resolved.log_dir;
  }

  get disableShapeMatching(): boolean {
    return this.resolved.disable_shape_matching ?? TOP_LEVEL_DEFAULTS.disable_shape_matching;
  }

  /** The gradient multiplier for an algorithm: its own key wins over the top-level one. */
  compressionLrMultiplier(name: AlgorithmName): number | undefined {
    const own = (this.algorithm(name) as { compression_lr_multiplier?: number } | undefined)
      ?.compression_lr_multiplier;
    return own ?? this.resolved.compression_lr_multiplier;
  }

  registerExtraStructs(structs: readonly ExtraStruct[]): this {
    this.#extraStructs.register(structs);
    return this;
  }

  getExtraStruct<T extends ExtraStruct>(kind: ExtraStructClass<T>): T | undefined {
    return this.#extraStructs.get(kind);
  }

  hasExtraStruct(kind: ExtraStructClass<ExtraStruct>): boolean {
    return this.#extraStructs.has(kind);
  }

  toJSON(): NNCFConfigDocument {
    return this.document;
  }
}

/** Adds line/column to issues whose path exists in the source text. */
export function locateIssues(
  issues: ConfigIssue[],
  locate?: (s: readonly PathSegment[]) => object | undefined,
): ConfigIssue[] {
  if (!locate) return issues;
  return issues.map((issue) => ({ ...issue, ...locate(dottedToSegments(issue.path)) }));
}

/** Parses our own dotted paths back into segments (`a.b[2]["{re}x"]`). */
export function dottedToSegments(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * NNCF's `experimental_quantization` is its quantization builder under another name (TF
 * QuantizationBuilderV2 subclasses QuantizationBuilder: same keys, same propagation solver, same
 * placement), so nncf-ts builds it with the quantization pipeline; docs/algorithms.md lists what differs.
 * The section is frozen, so the alias is a frozen copy (cached: the getter runs often).
 */
const builtAs = new WeakMap<object, ResolvedAlgorithmSection>();
function asBuiltSection(section: ResolvedAlgorithmSection): ResolvedAlgorithmSection {
  if (section.algorithm !== 'experimental_quantization') return section;
  let alias = builtAs.get(section);
  if (!alias) {
    alias = Object.freeze({ ...section, algorithm: 'quantization' }) as ResolvedAlgorithmSection;
    builtAs.set(section, alias);
  }
  return alias;
}
