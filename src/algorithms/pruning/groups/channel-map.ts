/**
 * Where each channel (axis 1) of a tensor comes from: `source[c]` is the id of the prunable layer (or,
 * after grouping, the pruning group) whose filter `index[c]` produced channel c, or -1 when no pruned
 * filter reaches it. One representation serves the symbolic analysis (which layers' masks reach which
 * consumers), FLOPs counting (how many input channels a consumer keeps) and the physical export
 * (which input channels a consumer drops): Concat concatenates maps, Flatten repeats them.
 */
export interface ChannelMap {
  source: Int32Array;
  index: Int32Array;
}

export function sourceMap(source: number, channels: number): ChannelMap {
  const index = new Int32Array(channels);
  for (let c = 0; c < channels; c++) index[c] = c;
  return { source: new Int32Array(channels).fill(source), index };
}

export function emptyMap(channels: number): ChannelMap {
  return { source: new Int32Array(channels).fill(-1), index: new Int32Array(channels).fill(-1) };
}

export function concatMaps(maps: readonly ChannelMap[]): ChannelMap {
  const n = maps.reduce((s, m) => s + m.source.length, 0);
  const out = { source: new Int32Array(n), index: new Int32Array(n) };
  let at = 0;
  for (const m of maps) {
    out.source.set(m.source, at);
    out.index.set(m.index, at);
    at += m.source.length;
  }
  return out;
}

/** NCHW → N×(C·H·W) flatten: each channel repeated `times` times, consecutively. */
export function repeatMap(m: ChannelMap, times: number): ChannelMap {
  const n = m.source.length * times;
  const out = { source: new Int32Array(n), index: new Int32Array(n) };
  for (let c = 0; c < m.source.length; c++)
    for (let r = 0; r < times; r++) {
      out.source[c * times + r] = m.source[c];
      out.index[c * times + r] = m.index[c];
    }
  return out;
}

/** The distinct sources of a map (ignoring -1). */
export function sourcesOf(m: ChannelMap | null | undefined): number[] {
  if (!m) return [];
  return [...new Set(m.source)].filter((s) => s >= 0);
}

/** Per channel of `m`: is it kept, given each source's keep mask. */
export function keptChannels(m: ChannelMap, keep: (source: number) => ArrayLike<number> | undefined): Uint8Array {
  const out = new Uint8Array(m.source.length);
  for (let c = 0; c < out.length; c++) {
    const s = m.source[c];
    const k = s < 0 ? undefined : keep(s);
    out[c] = k === undefined ? 1 : k[m.index[c]] ? 1 : 0;
  }
  return out;
}
