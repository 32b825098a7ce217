/**
 * The npm set-up a newcomer meets (issue 10, item 7): .npmrc holds only keys npm knows (npm >= 11.2 warned
 * "Unknown project config" on every command for onnxruntime-node-install=skip), and dependency install
 * scripts stay off — onnxruntime-node's would download CUDA binaries — on every npm version.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const npm = (...args: string[]) => spawnSync('npm', args, { encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });

describe('npm set-up', () => {
  it('npm reads .npmrc without warnings, and ignore-scripts is on', () => {
    const r = npm('config', 'get', 'ignore-scripts');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/Unknown (project|user|env) config/);
    expect(r.stdout.trim()).toBe('true');
  });

  it('every .npmrc key is an npm config key (no package-specific keys)', () => {
    const keys = readFileSync('.npmrc', 'utf8').split('\n').filter((l) => l.trim() && !/^\s*[#;]/.test(l)).map((l) => l.split('=')[0].trim());
    expect(keys).toEqual(['ignore-scripts']);
  });

  it('no lifecycle hook of this package relies on install scripts (ignore-scripts would skip it silently)', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const hooks = Object.keys(scripts).filter((s) => /^(pre|post)/.test(s) || ['install', 'prepare', 'prepublish', 'prepack'].includes(s));
    expect(hooks).toEqual([]);
  });
});
