/**
 * PyTorch training steps driven from the bench: one `torch_train.py serve` process per model, asked for
 * "THREADS STEPS" at a time so its runs interleave with ours. Debian's python3-torch is installed with
 * apt when it is missing (root only); otherwise the PyTorch columns are left out with the reason.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PY = '/usr/bin/python3'; // Debian's python, where apt puts torch (not a pyenv python on PATH)
export const TORCH_SCRIPT = fileURLToPath(new URL('./torch_train.py', import.meta.url));
/** glibc malloc settings without which PyTorch's step time swings 2–5× here (engine-notes.md). */
export const TORCH_MALLOC_ENV = {
  MALLOC_MMAP_THRESHOLD_: '33554432',
  MALLOC_TRIM_THRESHOLD_: '4294967296',
  MALLOC_TOP_PAD_: '268435456',
};

const haveTorch = () =>
  spawnSync(PY, ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore' }).status === 0;

/** null when torch is importable (installing it if needed), else why not. */
export function ensureTorch(log: (s: string) => void): string | null {
  if (haveTorch()) return null;
  if (process.getuid?.() !== 0) return 'python3-torch is missing and installing it needs root';
  log('installing python3-torch python3-torchvision python3-onnx with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync(
    'apt-get',
    [
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      'python3-torch',
      'python3-torchvision',
      'python3-onnx',
    ],
    { stdio: 'inherit', env },
  );
  if (r.status !== 0 || !haveTorch()) return 'apt-get could not install python3-torch';
  return null;
}

/** Runs torch_train.py with a subcommand to completion (e.g. the ResNet-18 export). */
export function runTorchScript(args: string[]): void {
  const r = spawnSync(PY, [TORCH_SCRIPT, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_train.py ${args.join(' ')} failed:\n${r.stderr}`);
}

export class TorchTrainer {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    readonly version: string,
  ) {}

  static async start(model: 'fashion' | 'resnet18', batch: number): Promise<TorchTrainer> {
    const proc = spawn(PY, [TORCH_SCRIPT, 'serve', model, String(batch)], {
      env: { ...process.env, ...TORCH_MALLOC_ENV },
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const rl = createInterface({ input: proc.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`torch_train.py serve ${model} exited:\n${stderr}`);
    return new TorchTrainer(proc, lines, rl, (JSON.parse(first.value) as { torch: string }).torch);
  }

  /** Times `steps` SGD steps at `threads` threads: wall and process CPU time (ms) per step. */
  async steps(threads: number, steps: number): Promise<{ ms: number[]; cpu: number[] }> {
    this.proc.stdin.write(`${threads} ${steps}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('torch_train.py serve stopped answering');
    return JSON.parse(r.value) as { ms: number[]; cpu: number[] };
  }

  stop(): void {
    this.rl.close();
    this.proc.stdin.end();
    this.proc.kill();
  }
}
