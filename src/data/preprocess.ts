/**
 * Input preprocessing, applied to a whole N×… batch in this order:
 *   1. convert to float32;
 *   2. `addChannel`: insert a size-1 channel axis — 'first' (N×H×W → N×1×H×W) or 'last' (→ N×H×W×1);
 *   3. `layout`: 'nhwc-to-nchw' or 'nchw-to-nhwc' (rank-4 data);
 *   4. `scale`: multiply every value (e.g. 1/255 for uint8 images);
 *   5. `mean`/`std`: (x − mean) / std, scalars or one value per channel. The channel axis is 1 (NCHW) unless
 *      the result is channels-last (layout 'nchw-to-nhwc' or addChannel 'last'), or `channelAxis` says otherwise.
 * As a string (CLI): `scale=1/255,mean=0.286,std=0.353,channel=first,layout=nhwc-to-nchw`; per-channel values
 * are separated by ':' (`mean=0.485:0.456:0.406`).
 */
import { DataError } from './errors.js';
import { toFloat32, type NdArray } from './ndarray.js';
import { transposeNd } from './transpose.js';

export interface PreprocessOptions {
  addChannel?: 'first' | 'last';
  layout?: 'nhwc-to-nchw' | 'nchw-to-nhwc';
  scale?: number;
  mean?: number | number[];
  std?: number | number[];
  /** Axis of the batch array that holds channels, for per-channel mean/std. */
  channelAxis?: number;
}

export function preprocess(input: NdArray, options: PreprocessOptions): NdArray<'float32'> {
  let x = toFloat32(input);
  if (options.addChannel) {
    const s = x.shape;
    const shape = options.addChannel === 'first' ? [s[0], 1, ...s.slice(1)] : [...s, 1];
    x = { dtype: 'float32', shape, data: x === input ? x.data.slice() : x.data };
  }
  if (options.layout) {
    if (x.shape.length !== 4) throw new DataError(`layout ${options.layout} needs rank-4 data, got shape [${x.shape.join(', ')}]`);
    x = transposeNd(x, options.layout === 'nhwc-to-nchw' ? [0, 3, 1, 2] : [0, 2, 3, 1]);
  }
  const needCopy = x === input;
  const data = needCopy ? x.data.slice() : x.data;
  if (options.scale !== undefined && options.scale !== 1) {
    for (let i = 0; i < data.length; i++) data[i] *= options.scale;
  }
  if (options.mean !== undefined || options.std !== undefined) {
    const channelsLast = options.layout === 'nchw-to-nhwc' || options.addChannel === 'last';
    const axis = options.channelAxis ?? (channelsLast ? x.shape.length - 1 : 1);
    normalize(data, x.shape, axis, options.mean ?? 0, options.std ?? 1);
  }
  return { dtype: 'float32', shape: x.shape, data };
}

function normalize(data: Float32Array, shape: number[], axis: number, mean: number | number[], std: number | number[]): void {
  const means = typeof mean === 'number' ? [mean] : mean;
  const stds = typeof std === 'number' ? [std] : std;
  const perChannel = means.length > 1 || stds.length > 1;
  const channels = perChannel ? shape[axis] : 1;
  if (perChannel && (axis < 0 || axis >= shape.length)) throw new DataError(`channel axis ${axis} is outside shape [${shape.join(', ')}]`);
  for (const [name, v] of [['mean', means], ['std', stds]] as const) {
    if (v.length !== 1 && v.length !== channels) {
      throw new DataError(`${name} has ${v.length} values but the data has ${channels} channels (axis ${axis} of [${shape.join(', ')}])`);
    }
  }
  if (stds.some((s) => s === 0)) throw new DataError('std must not be 0');
  const inner = perChannel ? shape.slice(axis + 1).reduce((a, b) => a * b, 1) : data.length;
  for (let start = 0, c = 0; start < data.length; start += inner, c = (c + 1) % channels) {
    const m = means[means.length === 1 ? 0 : c];
    const sd = stds[stds.length === 1 ? 0 : c];
    for (let i = start; i < start + inner; i++) data[i] = (data[i] - m) / sd;
  }
}

function parseNumber(text: string, key: string): number {
  const frac = /^\s*([-+\d.e]+)\s*\/\s*([-+\d.e]+)\s*$/i.exec(text);
  const v = frac ? Number(frac[1]) / Number(frac[2]) : text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new DataError(`preprocess option ${key}: '${text}' is not a number`);
  return v;
}

/** Parses `key=value,…` preprocessing options (see the module comment). */
export function parsePreprocessSpec(spec: string): PreprocessOptions {
  const out: PreprocessOptions = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key === 'scale') out.scale = parseNumber(value, key);
    else if (key === 'mean' || key === 'std') {
      const vs = value.split(':').map((v) => parseNumber(v, key));
      out[key] = vs.length === 1 ? vs[0] : vs;
    } else if (key === 'channel' || key === 'addChannel') {
      if (value !== 'first' && value !== 'last') throw new DataError(`preprocess option ${key}: expected first or last, got '${value}'`);
      out.addChannel = value;
    } else if (key === 'layout') {
      if (value !== 'nhwc-to-nchw' && value !== 'nchw-to-nhwc') {
        throw new DataError(`preprocess option layout: expected nhwc-to-nchw or nchw-to-nhwc, got '${value}'`);
      }
      out.layout = value;
    } else if (key === 'channelAxis') out.channelAxis = parseNumber(value, key);
    else throw new DataError(`unknown preprocess option '${key}' (known: scale, mean, std, channel, layout, channelAxis)`);
  }
  return out;
}
