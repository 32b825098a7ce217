export * from './bn-adaptation.js';
