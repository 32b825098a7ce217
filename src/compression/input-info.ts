/**
 * NNCF's `input_info` (FillerInputInfo): one entry per model input, `sample_size`, `type` ("long" →
 * int64, anything else float32, as NNCF), `filler` (ones by default) and `keyword` (NNCF passes it as a
 * forward kwarg; an ONNX model's inputs are named, so it names the graph input). Entries without a
 * keyword take the remaining graph inputs in order. Checked against the model: a static non-batch
 * dim that differs is an error; dynamic dims take the config's value.
 */
import { ConfigValidationError, closestName, type NNCFConfig } from '../config/index.js';
import type { Dim, DType, Graph, TensorInfo } from '../graph/index.js';

export const INPUT_FILLERS = ['ones', 'zeros', 'random'] as const;
export type InputFiller = (typeof INPUT_FILLERS)[number];

/** One graph input with the concrete shape, dtype and filler its example tensor is built from. */
export interface ResolvedInput {
  name: string;
  dtype: DType;
  shape: number[];
  filler: InputFiller;
  /** Index in the config's input_info list; null when the config has no input_info. */
  configIndex: number | null;
}

/** ONNX marks a dynamic dim by a name, nothing, or a non-positive value. */
const isStatic = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;
const fmt = (shape: readonly unknown[] | null) =>
  shape
    ? `[${shape.map((d) => (d === null || d === undefined ? '?' : String(d))).join(',')}]`
    : 'unknown rank';

function fail(path: string, message: string, suggestion?: string): never {
  throw new ConfigValidationError([{ kind: 'rule', severity: 'error', path, message, suggestion }]);
}

/** The non-constant graph inputs (initializers listed as inputs are weights). */
export function dataInputs(graph: Graph): TensorInfo[] {
  return graph.inputs.filter((i) => !graph.initializers.has(i.name));
}

/** Pairs config entries with graph inputs and checks them; `warn` gets a line per static batch mismatch. */
export function resolveInputInfo(
  graph: Graph,
  config: NNCFConfig,
  warn: (line: string) => void = console.warn,
): ResolvedInput[] {
  const inputs = dataInputs(graph);
  const entries = config.inputInfo;
  const names = inputs.map((i) => i.name);
  if (entries.length === 0) return inputs.map((inp) => resolveOne(inp, undefined, null, warn));
  const at = (i: number) => (Array.isArray(config.get('input_info')) ? `input_info[${i}]` : 'input_info');
  if (entries.length !== inputs.length)
    fail(
      'input_info',
      `describes ${entries.length} input(s); the model has ${inputs.length}: ${names.join(', ') || 'none'}`,
    );
  const byEntry = new Array<TensorInfo | undefined>(entries.length);
  entries.forEach((e, i) => {
    if (e.keyword === undefined) return;
    const inp = inputs.find((x) => x.name === e.keyword);
    if (!inp)
      fail(
        `${at(i)}.keyword`,
        `"${e.keyword}" is not an input of the model (inputs: ${names.join(', ')})`,
        closestName(e.keyword, names),
      );
    if (byEntry.includes(inp)) fail(`${at(i)}.keyword`, `input "${e.keyword}" is described twice`);
    byEntry[i] = inp;
  });
  const free = inputs.filter((x) => !byEntry.includes(x));
  entries.forEach((_, i) => (byEntry[i] ??= free.shift()));
  return entries.map((e, i) => resolveOne(byEntry[i]!, e, i, warn, at(i)));
}

function resolveOne(
  inp: TensorInfo,
  e: NNCFConfig['inputInfo'][number] | undefined,
  index: number | null,
  warn: (line: string) => void,
  at = 'input_info',
): ResolvedInput {
  const filler = (e?.filler ?? 'ones') as InputFiller;
  if (!INPUT_FILLERS.includes(filler))
    fail(
      `${at}.filler`,
      `unknown input filler "${filler}" (NNCF's fillers: ${INPUT_FILLERS.join(', ')})`,
      closestName(filler, INPUT_FILLERS),
    );
  const dtype: DType = e?.type === undefined ? inp.dtype : e.type === 'long' ? 'int64' : 'float32';
  if (dtype !== inp.dtype)
    fail(
      `${at}.type`,
      `"${e!.type}" means ${dtype} in NNCF ("long" is int64, any other type float32), but model input "${inp.name}" is ${inp.dtype}`,
    );
  if (filler === 'random' && !/float/.test(dtype))
    fail(
      `${at}.filler`,
      `"random" fills uniform [0,1) floats (NNCF's torch.rand has no integer form); input "${inp.name}" is ${dtype}: use "ones" or "zeros"`,
    );
  const model = inp.shape;
  const size = e?.sample_size;
  if (size === undefined) {
    if (!model) fail(at, `model input "${inp.name}" has an unknown shape: give input_info sample_size`);
    return {
      name: inp.name,
      dtype,
      filler,
      configIndex: index,
      shape: model.map((d, k) =>
        isStatic(d)
          ? d
          : k === 0
            ? 1
            : fail(
                `${at}.sample_size`,
                `is needed: model input "${inp.name}" has the dynamic dim ${k} in ${fmt(model)}`,
              ),
      ),
    };
  }
  const bad = size.findIndex((d) => !Number.isInteger(d) || d < 1);
  if (bad >= 0)
    fail(`${at}.sample_size`, `dims must be positive integers, got ${size[bad]} at position ${bad}`);
  if (model && model.length !== size.length)
    fail(
      `${at}.sample_size`,
      `${fmt(size)} has rank ${size.length}, model input "${inp.name}" has shape ${fmt(model)} (rank ${model.length})`,
    );
  const shape = size.map((d, k) => {
    const m = model?.[k];
    if (m === undefined || !isStatic(m) || m === d) return d;
    if (k > 0)
      fail(
        `${at}.sample_size`,
        `${fmt(size)} does not match model input "${inp.name}" of shape ${fmt(model)}: dim ${k} is ${d} in the config, ${m} in the model`,
      );
    warn(
      `${at}.sample_size: batch ${d} differs from model input "${inp.name}" (static batch ${m}); example inputs use ${m}`,
    );
    return m;
  });
  return { name: inp.name, dtype, filler, configIndex: index, shape };
}

/** createCompressedModel's check: a config with input_info must describe the model it is applied to. */
export function checkInputInfo(graph: Graph, config: NNCFConfig): void {
  if (config.inputInfo.length > 0) resolveInputInfo(graph, config);
}
