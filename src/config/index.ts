// Public API of the config layer: NNCF configuration files, validated, with NNCF's defaults.
export { NNCFConfig } from './nncf-config.js';
export {
  ConfigError,
  ConfigFileNotFoundError,
  ConfigSyntaxError,
  ConfigNotObjectError,
  ConfigValidationError,
  formatIssue,
  type ConfigIssue,
  type ConfigErrorKind,
} from './errors.js';
export {
  validateConfigFile,
  validateConfigText,
  validateConfigObject,
  type ValidationReport,
} from './validate-file.js';
export { fillDefaults } from './fill-defaults.js';
export { NNCF_CONFIG_SCHEMA, ALGORITHM_SCHEMAS } from './schema/root.js';
export * from './extra-structs.js';
export * as CONFIG_DEFAULTS from './defaults.js';
export {
  ALGORITHM_NAMES,
  NAS_SECTION_NAME,
  TARGET_DEVICES,
  isNpu,
  type AlgorithmName,
  type TargetDevice,
} from './names.js';
export { closestName } from './suggest.js';
export type * from './types-common.js';
export type * from './types-algorithms.js';
export type * from './types-root.js';
export type * from './types-resolved.js';
export { NOT_BUILT_YET, NOT_BUILT_SECTIONS } from './not-built-sections.js';
export { KEY_READERS, treatmentOf, type KeyTreatment } from './key-readers.js';
export { WARNED_KEYS } from './ignored-keys.js';
export { schemaKeyPaths } from './key-paths.js';
