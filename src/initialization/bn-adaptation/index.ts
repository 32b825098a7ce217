export * from './bn-adaptation.js';
export * from './engine-adaptation.js';
