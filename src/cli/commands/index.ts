import type { Command } from 'commander';
import { registerCompress } from './compress.js';
import { registerEval } from './eval.js';
import { registerNas } from './nas.js';
import { registerNasExport } from './nas-export.js';
import { registerPlan } from './plan.js';
import { registerRun } from './run.js';
import { registerTrain } from './train.js';
import { registerValidate } from './validate.js';

/** A CLI command registers itself on the program; `setExitCode` reports a non-zero result without throwing. */
export type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;

// One line per command module; keep the list sorted.
export const commands: RegisterCommand[] = [
  registerCompress,
  registerEval,
  registerNas,
  registerNasExport,
  registerPlan,
  registerRun,
  registerTrain,
  registerValidate,
];
