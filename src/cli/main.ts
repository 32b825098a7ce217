#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { decorateHelp } from './help.js';
import { UsageError } from './usage-error.js';

/** The package version, read from package.json (two folders up from src/cli/ and from dist/cli/ alike). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Exit codes: 0 success, 1 a checked input was invalid (e.g. a config), 2 usage, unreadable input or unwritable output. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('nncf-ts')
    .description('Neural-network compression driven by NNCF configuration files')
    .version(packageVersion(), '-V, --version', 'print the nncf-ts version')
    .exitOverride()
    .showHelpAfterError(false);
  let exitCode = 0;
  for (const register of commands) register(program, (code) => (exitCode = code));
  decorateHelp(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" with exit code 0 in commander's exitOverride mode
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`nncf-ts: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`nncf-ts: ${(err as Error).message}\n`);
    return 1;
  }
  return exitCode;
}

const invokedDirectly = process.argv[1] && /(?:cli[\\/]main\.[jt]s|nncf-ts(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  // exit only once stdout and stderr are flushed: on a pipe, process.exit would cut long output (plan --json) at 64 KiB
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
  main(process.argv.slice(2)).then(async (code) => {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  });
}
