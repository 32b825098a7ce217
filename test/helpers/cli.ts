import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs `nncf-ts <command> …args` in process, capturing stdout/stderr; returns the exit code and the text. */
export async function runCli(command: string, ...args: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await main([command, ...args]), err, out };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
