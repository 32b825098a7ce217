export * from './width-list.js';
export * from './handler.js';
