export { Engine, type EngineOptions, type RunOptions } from './engine.js';
export { initBackend, ensureBackend, activeBackend, ensureGradients, type BackendName } from './backend.js';
export { EngineError } from './errors.js';
export type { HookFn, HookHandle, HookInfo, HookSpec } from './hooks.js';
export { registerOp, defineOp, findOp, getOp, registeredOps, type OpDef, type LayoutMode } from './registry.js';
export { OpContext } from './context.js';
export type { Value } from './value.js';
export { tfDtype } from './dtype.js';
