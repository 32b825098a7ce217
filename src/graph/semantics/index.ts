export * from './metatype-table.js';
export * from './metatypes.js';
export * from './constness.js';
export * from './scopes.js';
export * from './scope-names.js';
export * from './patterns-data.js';
export * from './pattern-matcher.js';
