/**
 * Reader for ONNX's own operator conformance data (Debian libonnx-testdata, fetched by
 * `scripts/get-data.sh onnx-testdata`): each case is `<dir>/model.onnx` plus
 * `test_data_set_N` folders of `input_K.pb` / `output_K.pb` TensorProto files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConstTensor } from '../../src/graph/types.js';
import { decodeModelProto, decodeTensor, decodeTensorProto, type ValueInfoProto } from '../../src/graph/onnx-proto/index.js';

export const ONNX_TESTDATA_DIR = resolve(process.cwd(), '.cache/data/onnx-testdata');

/** Values of one data set; null where the model's input/output is not a tensor (sequence, optional). */
export interface TestDataSet {
  inputs: (ConstTensor | null)[];
  outputs: (ConstTensor | null)[];
}

export interface OnnxTestCase {
  /** e.g. "test_conv_with_strides_padding". */
  name: string;
  /** Suite folder: node, pytorch-converted, pytorch-operator, simple. */
  suite: string;
  dir: string;
  modelPath: string;
  /** False when some graph input/output is a sequence, map or optional (no tensor reader for those). */
  tensorsOnly: boolean;
  /** Reads the data sets lazily (some cases have several). */
  dataSets(): TestDataSet[];
}

function tensorKinds(modelPath: string): { inputs: boolean[]; outputs: boolean[] } {
  const g = decodeModelProto(readFileSync(modelPath)).graph ?? {};
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const isTensor = (v: ValueInfoProto) => v.type?.tensor_type !== undefined && Object.prototype.hasOwnProperty.call(v.type, 'tensor_type');
  return {
    inputs: (g.input ?? []).filter((v) => !inits.has(v.name)).map(isTensor),
    outputs: (g.output ?? []).map(isTensor),
  };
}

export function hasOnnxTestdata(): boolean {
  return existsSync(join(ONNX_TESTDATA_DIR, 'node'));
}

/** Reads one TensorProto .pb file into a ConstTensor (name from the file when the proto has none). */
export function readTensorPb(path: string): ConstTensor {
  const t = decodeTensor(decodeTensorProto(readFileSync(path)));
  return t;
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

/** All cases of a suite (default "node"), sorted by name; optional filter on the name. */
export function listOnnxTestCases(suite = 'node', filter?: (name: string) => boolean): OnnxTestCase[] {
  const root = join(ONNX_TESTDATA_DIR, suite);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'model.onnx')) && (!filter || filter(name)))
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const modelPath = join(dir, 'model.onnx');
      const kinds = tensorKinds(modelPath);
      const read = (isTensor: boolean[]) => (path: string, i: number) => (isTensor[i] === false ? null : readTensorPb(path));
      return {
        name,
        suite,
        dir,
        modelPath,
        tensorsOnly: kinds.inputs.every(Boolean) && kinds.outputs.every(Boolean),
        dataSets: () =>
          readdirSync(dir)
            .filter((d) => d.startsWith('test_data_set_'))
            .sort()
            .map((d) => ({
              inputs: numbered(join(dir, d), 'input_').map(read(kinds.inputs)),
              outputs: numbered(join(dir, d), 'output_').map(read(kinds.outputs)),
            })),
      };
    });
}
