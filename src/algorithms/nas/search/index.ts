export * from './nondominated.js';
export * from './operators.js';
export * from './nsga2.js';
export * from './params.js';
export * from './select.js';
export * from './reference-survival.js';
export * from './run-search.js';
export * from './pick-subnet.js';
