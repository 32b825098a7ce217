// Graph clean-up passes that keep the model's function (no compression knowledge here).
export { materializeConstantAliases } from './constant-aliases.js';
export { removePassThroughNodes } from './pass-through.js';
