/**
 * The static geometry of a 2-D Conv node (kernel, strides, pads, dilations, group, spatial sizes). A
 * 1-D Conv ([N, C, L]) is described as the 2-D Conv of [N, C, 1, L] (`rank` 3 says so).
 */
import type { GraphNode } from '../../graph/types.js';
import { intAttr, intsAttr, stringAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import type { ForwardContext } from '../rule.js';

export interface ConvGeometry {
  /** 4 for a 2-D Conv, 3 for a 1-D Conv viewed as 2-D with a unit height. */
  rank: 3 | 4;
  cin: number;
  cout: number;
  group: number;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] as ONNX writes them. */
  pads: [number, number, number, number];
  inSize: [number, number];
  outSize: [number, number];
}

export function convGeometry(node: GraphNode, shape: ForwardContext['shape']): ConvGeometry {
  const x0 = shape(node.inputs[0]);
  const w0 = shape(node.inputs[1]);
  const fail = (why: string) => new AutodiffError(`${node.name}: the Conv gradient rule ${why}`);
  if (!(x0.length === 4 && w0.length === 4) && !(x0.length === 3 && w0.length === 3))
    throw fail(`supports 1-D and 2-D convolutions only (input rank ${x0.length})`);
  const rank = x0.length as 3 | 4;
  const oneD = rank === 3;
  const x = oneD ? [x0[0], x0[1], 1, x0[2]] : x0;
  const w = oneD ? [w0[0], w0[1], 1, w0[2]] : w0;
  const pair = (v: number[] | undefined, unit: number) => (v && oneD ? [unit, v[0]] : v);
  const known = [x[1], x[2], x[3], ...w];
  if (!known.every((d) => typeof d === 'number'))
    throw fail(`needs known channel and spatial dims, got x [${x.join(', ')}], w [${w.join(', ')}]`);
  const [cout, , kh, kw] = w as number[];
  const [cin, h, wd] = [x[1], x[2], x[3]] as number[];
  const strides = (pair(intsAttr(node, 'strides'), 1) ?? [1, 1]) as [number, number];
  const dilations = (pair(intsAttr(node, 'dilations'), 1) ?? [1, 1]) as [number, number];
  const kernel: [number, number] = [kh, kw];
  const group = intAttr(node, 'group', 1);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const pads1 = intsAttr(node, 'pads');
  let pads = (pads1 && oneD ? [0, pads1[0], 0, pads1[1]] : (pads1 ?? [0, 0, 0, 0])) as [
    number,
    number,
    number,
    number,
  ];
  const span = (i: number) => (kernel[i] - 1) * dilations[i] + 1;
  if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [h, wd].map((n, i) =>
      Math.max(0, (Math.ceil(n / strides[i]) - 1) * strides[i] + span(i) - n),
    );
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]);
    pads =
      autoPad === 'SAME_UPPER' ? [small[0], small[1], big[0], big[1]] : [big[0], big[1], small[0], small[1]];
  } else if (autoPad !== 'NOTSET') throw fail(`does not know auto_pad=${autoPad}`);
  const inSize: [number, number] = [h, wd];
  const outSize = [0, 1].map(
    (i) => Math.floor((inSize[i] + pads[i] + pads[i + 2] - span(i)) / strides[i]) + 1,
  ) as [number, number];
  return { rank, cin, cout, group, kernel, strides, dilations, pads, inSize, outSize };
}

export const isDepthwise = (g: ConvGeometry) => g.group > 1 && g.group === g.cin && g.cout === g.cin;
