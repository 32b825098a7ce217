/**
 * What `--help` shows beyond commander's defaults: required options marked (in the usage line and in
 * the option list), one runnable example per command (on the bundled example where it can be), and
 * the exit codes. Kept as data here so that command modules stay about their work.
 */
import type { Command } from 'commander';

const EX = 'examples/fashion-mnist';

/** One example per command that does not add its own; a command without any fails test/cli/help.test.ts. */
export const COMMAND_EXAMPLES: Readonly<Record<string, string>> = {
  compress: `nncf-ts compress --model ${EX}/model.onnx --config ${EX}/int8.json --data ${EX} --out model-int8.onnx --report report.json`,
  eval: `nncf-ts eval --model ${EX}/model.onnx --model model-int8.onnx --data ${EX}`,
  nas: `nncf-ts nas --model supernet.onnx --config bootstrapnas.json --train train.npz --val val.npz --out-dir nas-out`,
  run: `nncf-ts run --model ${EX}/model.onnx --input ${EX}/images.npy --output logits.npy`,
  train: `nncf-ts train --model ${EX}/model.onnx --config ${EX}/int8.json --train ${EX} --val ${EX} --out model-qat.onnx --epochs 1`,
  validate: `nncf-ts validate ${EX}/int8.json --print-defaults`,
};

export const EXIT_CODES = 'Exit codes: 0 success; 1 an input was checked and is invalid (config, data that does not fit the model); 2 a usage error or an unreadable input or unwritable output path.';

/** Marks required options and adds the example of every registered command; call after registering them. */
export function decorateHelp(program: Command): void {
  for (const cmd of program.commands) {
    const required = cmd.options.filter((o) => o.mandatory);
    for (const o of required) if (!o.description.endsWith('(required)')) o.description = `${o.description} (required)`;
    if (required.length > 0) {
      const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}]`));
      cmd.usage([...required.map((o) => o.flags), '[options]', ...args].join(' '));
    }
    const example = COMMAND_EXAMPLES[cmd.name()];
    // a command module that added its own example (commander's addHelpText listens on 'afterHelp') keeps it alone
    const hasOwn = (cmd as unknown as NodeJS.EventEmitter).listenerCount('afterHelp') > 0;
    if (example && !hasOwn) cmd.addHelpText('after', `\nExample:\n  $ ${example}\n`);
  }
  program.addHelpText('after', `\n${EXIT_CODES}\nHelp on one command: nncf-ts <command> --help\n`);
}
