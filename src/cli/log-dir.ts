/**
 * `log_dir`: what NNCF's training samples write there (examples/common/paths.py configure_paths,
 * examples/torch/classification/main.py). The run directory is `<log_dir>/<run name>/<YYYY-MM-DD__HH-MM-SS>`
 * (NNCF's get_run_name: model, dataset when the config names one, one suffix per algorithm). In it:
 *  - `config.json`: the config file as given (NNCF copies it); `config.resolved.json`: with NNCF's
 *    defaults filled in and `log_dir` set to the run directory (NNCF rewrites nncf_config["log_dir"]);
 *  - `output.log`: every line the command prints (NNCF's output.log);
 *  - `statistics.json`: the compression statistics after each epoch and at the end, with the stage
 *    (NNCF logs them to TensorBoard); `statistics.txt`: the final statistics as text;
 *  - files an algorithm writes there (the controller's logFiles, e.g. movement sparsity's
 *    structured_sparsity.csv once its structured masks are resolved), rewritten with the statistics;
 *  - train's checkpoints, unless --checkpoint-dir says otherwise (NNCF's checkpoint_save_dir defaults to it).
 * Every file is written atomically. NNCF's code snapshot and TensorBoard events have no counterpart here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
// stage.js, not the compression index: the index loads the engine (tfjs), seconds on every CLI start.
import { stageName } from '../compression/stage.js';
import type { CompressionController } from '../compression/index.js';
import type { NNCFConfig } from '../config/index.js';
import { writeFileAtomic } from '../exporters/onnx/index.js';

export interface StatisticsRecord {
  /** The epoch just finished, or "final". */
  epoch: number | 'final';
  stage: string;
  statistics: Record<string, number | string | boolean>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** NNCF's run id: the local start time, `YYYY-MM-DD__HH-MM-SS`. */
export function runId(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}__${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
}

/** NNCF's get_run_name: `<model>[_<dataset>]` + `_int8` / `_a_int8_w_int4` / `_mixed_int` for quantization, `_<name>` for others. */
export function runName(config: NNCFConfig, modelPath: string): string {
  const model =
    typeof config.get('model') === 'string'
      ? (config.get('model') as string)
      : basename(modelPath).replace(/\.onnx$/i, '');
  const dataset = config.get('dataset');
  let name = typeof dataset === 'string' ? `${model}_${dataset}` : model;
  for (const s of config.algorithms) {
    if (s.algorithm !== 'quantization') {
      name += `_${s.algorithm}`;
      continue;
    }
    const q = s as {
      initializer?: { precision?: unknown };
      activations?: { bits?: number };
      weights?: { bits?: number };
    };
    const a = q.activations?.bits ?? 8;
    const w = q.weights?.bits ?? 8;
    name += q.initializer?.precision ? '_mixed_int' : a === w ? `_int${a}` : `_a_int${a}_w_int${w}`;
  }
  return name;
}

const encode = (text: string) => new TextEncoder().encode(text);

export class RunLog {
  private output = '';
  private readonly records: StatisticsRecord[] = [];

  private constructor(readonly dir: string) {}

  /** Creates the run directory and writes the configs; undefined when the config has no log_dir. */
  static open(config: NNCFConfig, o: { model: string; configFile: string; now?: Date }): RunLog | undefined {
    if (config.logDir === undefined) return undefined;
    const dir = join(config.logDir, runName(config, o.model), runId(o.now ?? new Date()));
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new Error(`log_dir "${config.logDir}": cannot create ${dir}: ${(e as Error).message}`);
    }
    const log = new RunLog(dir);
    writeFileAtomic(join(dir, 'config.json'), readFileSync(o.configFile));
    writeFileAtomic(
      join(dir, 'config.resolved.json'),
      encode(`${JSON.stringify({ ...config.resolved, log_dir: dir }, null, 2)}\n`),
    );
    return log;
  }

  /** Adds lines to output.log (the whole file is rewritten atomically). */
  append(text: string): void {
    this.output += text.endsWith('\n') ? text : `${text}\n`;
    writeFileAtomic(join(this.dir, 'output.log'), encode(this.output));
  }

  /** A logger that prints with `log` and keeps the line in output.log. */
  tee(log: (line: string) => void): (line: string) => void {
    return (line) => {
      log(line);
      this.append(line);
    };
  }

  /** A JSON file of the run (e.g. the accuracy-aware history), written atomically. */
  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.dir, name), encode(`${JSON.stringify(value, null, 2)}\n`));
  }

  /** Statistics after an epoch (JSON, and text in output.log) or at the end (JSON, and statistics.txt). */
  recordStatistics(controller: CompressionController, epoch: number | 'final'): void {
    const stats = controller.statistics();
    for (const [name, text] of Object.entries(controller.logFiles?.() ?? {})) writeFileAtomic(join(this.dir, name), encode(text));
    this.records.push({ epoch, stage: stageName(controller.compressionStage()), statistics: stats.toDict() });
    writeFileAtomic(join(this.dir, 'statistics.json'), encode(`${JSON.stringify(this.records, null, 2)}\n`));
    // the final text reaches output.log through the command's own output; each epoch's is added here
    if (epoch === 'final') writeFileAtomic(join(this.dir, 'statistics.txt'), encode(`${stats.toString()}\n`));
    else this.append(`statistics after epoch ${epoch}:\n${stats.toString()}`);
  }
}
