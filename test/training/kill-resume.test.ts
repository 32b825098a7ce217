import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../../src/training/index.js';
import { maxAbsDiff } from './run-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (f: string) => join(import.meta.dirname, 'fixtures', f);

/** Spawns a tsx child; `onLine` may return true to SIGKILL it. Resolves with its output lines and signal. */
function child(script: string, args: string[], onLine: (line: string, kill: () => void) => void = () => {}, engine = 'tfjs'): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRAIN_ENGINE: engine } });
    const lines: string[] = [];
    let stderr = '';
    p.stderr!.on('data', (d) => (stderr += d));
    createInterface({ input: p.stdout! }).on('line', (l) => {
      lines.push(l);
      onLine(l, () => p.kill('SIGKILL'));
    });
    p.on('error', reject);
    p.on('close', (code, signal) => (code && !signal ? reject(new Error(`child failed (${code}): ${stderr}`)) : resolve({ lines, signal, code })));
  });
}

describe('checkpoints under SIGKILL', () => {
  for (const engine of ['tfjs', 'ort'])
    it(`${engine}: a run killed in the middle of epoch 2 and resumed ends with the uninterrupted run's weights (≤ 1e-6)`, async () => {
      const sub = join(dir, engine);
      const full = await child('train-child.ts', [sub, 'full'], undefined, engine);
      expect(full.lines.at(-1)).toBe('DONE');
      expect(full.lines[0]).toBe(`START 0 0 ${engine}`);
      let killedAt = '';
      const killed = await child('train-child.ts', [join(sub, 'k'), 'never'], (l, kill) => {
        if (l === 'BATCH 1 9' && !killedAt) {
          killedAt = l;
          kill();
        }
      }, engine);
      expect(killed.signal).toBe('SIGKILL');
      const resumed = await child('train-child.ts', [join(sub, 'k'), 'resumed', join(sub, 'k', 'ckpt', 'last.ckpt')], undefined, engine);
      const start = resumed.lines.find((l) => l.startsWith('START'))!;
      const [, e, b] = start.split(' ').map(Number);
      console.log(`${engine}: killed after "${killedAt}", resumed at epoch ${e} batch ${b}`);
      expect(start.endsWith(engine)).toBe(true);
      expect(e).toBe(1); // zero-based: the second epoch
      expect(b).toBeGreaterThan(0);
      expect(b).toBeLessThan(16);
      const a = JSON.parse(readFileSync(join(sub, 'full.json'), 'utf8'));
      const r = JSON.parse(readFileSync(join(sub, 'k', 'resumed.json'), 'utf8'));
      const diff = maxAbsDiff(a, r);
      console.log(`${engine}: max |w_resumed − w_uninterrupted| = ${diff}`);
      expect(diff).toBeLessThanOrEqual(1e-6);
    }, 300_000);

  it('killing the writer during a save always leaves the previous complete checkpoint readable', async () => {
    const sub = join(dir, 'save');
    const path = join(sub, 'last.ckpt');
    let tempLeft = 0;
    for (const [attempt, delay] of [0, 2, 5, 9].entries()) {
      let target = 0;
      await child('ckpt-writer.ts', [path], (l, kill) => {
        const [what, k] = l.split(' ');
        if (what === 'WRITING' && Number(k) === 2 + attempt && !target) {
          target = Number(k);
          setTimeout(kill, delay);
        }
      });
      if (readdirSync(sub).some((f) => f.endsWith('.tmp'))) tempLeft++;
      const { meta, tensors } = readCheckpointFile(path);
      const k = (meta as { k: number }).k;
      expect(k === target - 1 || k === target).toBe(true);
      const w = tensors.get('w')!.data;
      expect(w.length).toBe(8 << 20);
      expect(w[0]).toBe(k);
      expect(w[w.length - 1]).toBe(k);
    }
    console.log(`kills that interrupted a write (temp file left behind): ${tempLeft}/4`);
    expect(tempLeft).toBeGreaterThan(0);
  });
});
