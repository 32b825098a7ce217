/** `nncf-ts --version` and `--help` (issue 10, item 7): required options marked, one example per command. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { COMMAND_EXAMPLES, decorateHelp } from '../../src/cli/help.js';
import { runCli } from '../helpers/cli.js';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function program(): Command {
  const p = new Command('nncf-ts');
  for (const register of commands) register(p, () => undefined);
  decorateHelp(p);
  return p;
}

describe('nncf-ts --version and --help', () => {
  it.each(['--version', '-V'])('%s prints the package version and exits 0', async (flag) => {
    const r = await runCli(flag);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${version}\n`);
  });

  it('the top-level help lists every command, --version and the exit codes', async () => {
    const r = await runCli('--help');
    expect(r.code).toBe(0);
    for (const c of program().commands) expect(r.out).toMatch(new RegExp(`^  ${c.name()} `, 'm'));
    expect(r.out).toContain('-V, --version');
    expect(r.out).toContain('Exit codes: 0 success; 1 ');
  });

  const registered = program().commands.map((c) => c.name());
  it('the table has examples only for registered commands', () => {
    expect(registered.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(COMMAND_EXAMPLES).filter((n) => !registered.includes(n))).toEqual([]);
  });

  it.each(registered)('%s --help: required options marked and in the usage line; one example that gives every required option', async (name) => {
    const cmd = program().commands.find((c) => c.name() === name)!;
    const r = await runCli(name, '--help');
    expect(r.code).toBe(0);
    const required = cmd.options.filter((o) => o.mandatory);
    const flat = r.out.replace(/\s+/g, ' '); // help wraps long descriptions
    for (const o of required) {
      expect(o.description.endsWith(' (required)')).toBe(true);
      expect(flat).toContain(` ${o.flags} ${o.description} `);
      expect(r.out.split('\n')[0]).toContain(o.flags);
    }
    // exactly one example, for this command, giving every required option
    expect(r.out.match(/^Example:$/gm)).toHaveLength(1);
    const example = /^Example:\n {2}(?:\$ )?(.+)$/m.exec(r.out)![1];
    expect(example.startsWith(`nncf-ts ${name} `)).toBe(true);
    for (const o of required) expect(example).toContain(`${o.long} `);
    for (const o of cmd.options.filter((x) => !x.mandatory && x.long !== '--input')) expect(o.description).not.toMatch(/\(required\)$/);
  });
});
