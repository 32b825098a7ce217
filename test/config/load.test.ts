import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NNCFConfig,
  ConfigError,
  ConfigFileNotFoundError,
  ConfigSyntaxError,
  ConfigNotObjectError,
  ConfigValidationError,
  validateConfigText,
  validateConfigFile,
} from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function error(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected an error');
}

describe('lenient JSON', () => {
  it('accepts // and /* */ comments and trailing commas', () => {
    const config = NNCFConfig.fromText(`
      // header comment
      {
        /* block
           comment */
        "compression": [
          {"algorithm": "quantization", "initializer": {"range": {"num_init_samples": 8,},},}, // trailing
        ],
      }`);
    expect(config.algorithms[0].algorithm).toBe('quantization');
    expect((config.document.compression as any)[0].initializer.range.num_init_samples).toBe(8);
  });
  it('accepts a UTF-8 byte order mark', () => {
    expect(NNCFConfig.fromText('\uFEFF{"target_device": "GPU"}').targetDevice).toBe('GPU');
  });
  it('keeps a "__proto__" key as an ordinary key (like JSON.parse)', () => {
    const report = validateConfigText(
      '{"compression": {"algorithm": "quantization", "__proto__": {"x": 1}}}',
    );
    expect(report.valid).toBe(false);
    expect(report.issues[0].path).toBe('compression.__proto__');
    expect(Object.getPrototypeOf({})).toEqual({}); // nothing leaked into Object.prototype
  });
});

describe('distinct load errors', () => {
  it('file not found', () => {
    const missing = join(dir, 'missing.json');
    const err = error(() => NNCFConfig.fromFile(missing));
    expect(err).toBeInstanceOf(ConfigFileNotFoundError);
    expect(err.kind).toBe('file-not-found');
    expect(err.file).toBe(missing);
    expect(err.message).toBe(`${missing}: file not found`);
  });
  it('a directory is not a config file', () => {
    mkdirSync(join(dir, 'adir'), { recursive: true });
    const err = error(() => NNCFConfig.fromFile(join(dir, 'adir')));
    expect(err).toBeInstanceOf(ConfigFileNotFoundError);
    expect(err.message).toMatch(/is a directory, not a file$/);
  });
  it('not JSON: line and column of the first syntax error', () => {
    const path = file('bad.json', '{\n  "a": 1\n  "b": 2\n}\n');
    const err = error(() => NNCFConfig.fromFile(path));
    expect(err).toBeInstanceOf(ConfigSyntaxError);
    expect([err.kind, err.line, err.column]).toEqual(['syntax', 3, 3]);
    expect(err.message).toBe(`${path}:3:3: not valid JSON: comma expected near "\\"b\\""`);
  });
  it('not JSON: empty file and unterminated object', () => {
    expect(error(() => NNCFConfig.fromText('')).issues[0]).toMatchObject({
      kind: 'syntax',
      line: 1,
      column: 1,
      message: 'not valid JSON: value expected',
    });
    expect(error(() => NNCFConfig.fromText('{"a": [1, 2')).kind).toBe('syntax');
    expect(error(() => NNCFConfig.fromText("{'a': 1}")).kind).toBe('syntax');
  });
  it('not an object: line and column of the value', () => {
    const err = error(() => NNCFConfig.fromText('\n\n  [1, 2]', 'arr.json'));
    expect(err).toBeInstanceOf(ConfigNotObjectError);
    expect([err.kind, err.line, err.column, err.found]).toEqual(['not-object', 3, 3, 'array [1,2]']);
    expect(err.message).toBe(
      'arr.json:3:3: (top level): the config must be a JSON object, found array [1,2]',
    );
    expect(error(() => NNCFConfig.fromText('"quantization"')).kind).toBe('not-object');
    expect(error(() => NNCFConfig.fromText('null')).kind).toBe('not-object');
    expect(error(() => NNCFConfig.fromObject(42)).kind).toBe('not-object');
  });
  it('schema errors carry the line and column of the offending key', () => {
    const path = file(
      'schema.json',
      '{\n  "compression": {\n    "algorithm": "quantization",\n    "presett": "mixed",\n    "initializer": {"range": {"type": "minmax"}}\n  }\n}\n',
    );
    const err = error(() => NNCFConfig.fromFile(path));
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err.issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ['compression.presett', 4, 5],
      ['compression.initializer.range.type', 5, 31],
    ]);
  });
  it('a missing required key is located at its parent', () => {
    const report = validateConfigText('{"compression": {"algorithm": "knowledge_distillation"}}');
    expect(report.issues.map((i) => [i.path, i.line, i.column])).toEqual([['compression.type', 1, 2]]);
  });
  it('validateConfigFile reports instead of throwing', () => {
    expect(validateConfigFile(join(dir, 'nope.json'))).toMatchObject({
      valid: false,
      issues: [{ kind: 'file-not-found' }],
    });
    expect(validateConfigFile(file('ok.json', '{}'))).toMatchObject({
      valid: true,
      issues: [],
      withDefaults: { target_device: 'ANY', disable_shape_matching: false },
    });
  });
});
