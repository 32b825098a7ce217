/**
 * Argument and geometry parsing shared by the four wasm conv gradient kernels
 * (conv2d/depthwise x input/filter).
 */
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { type ConvAttrs, type ConvGeometry, convGeometry } from './conv-geometry.js';
import type { TensorInfo, WasmBackend } from './wasm-backend.js';

type Shape4 = [number, number, number, number];

export interface BackpropInputAttrs extends ConvAttrs {
  inputShape: Shape4;
}

export interface BackpropFilterAttrs extends ConvAttrs {
  filterShape: Shape4;
}

export interface BackpropInputArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}

export interface BackpropFilterArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}

/** Attrs and forward geometry of an input-gradient kernel (x's shape comes from the attrs). */
export function backpropInputGeometry(
  args: BackpropInputArgs,
  depthwise: boolean,
): { attrs: BackpropInputAttrs; g: ConvGeometry } {
  const attrs = args.attrs as unknown as BackpropInputAttrs;
  return { attrs, g: convGeometry(attrs.inputShape, args.inputs.filter.shape, attrs, depthwise) };
}

/** Attrs and forward geometry of a filter-gradient kernel (the filter's shape comes from the attrs). */
export function backpropFilterGeometry(
  args: BackpropFilterArgs,
  depthwise: boolean,
): { attrs: BackpropFilterAttrs; g: ConvGeometry } {
  const attrs = args.attrs as unknown as BackpropFilterAttrs;
  return { attrs, g: convGeometry(args.inputs.x.shape, attrs.filterShape, attrs, depthwise) };
}

/**
 * Padding of dy dilated by the stride so that a VALID stride-1 conv (with the forward dilation)
 * over the padded [Hp, Wp] plane yields exactly the input's H x W.
 */
export interface DilatedDyPadding {
  pTop: number;
  pLeft: number;
  pBottom: number;
  pRight: number;
  Hp: number;
  Wp: number;
}

export function dilatedDyPadding(g: ConvGeometry): DilatedDyPadding {
  const { inH: H, inW: W, outH: Ho, outW: Wo, kH, kW } = g;
  const pTop = (kH - 1) * g.dilH - g.padTop;
  const pLeft = (kW - 1) * g.dilW - g.padLeft;
  const Hp = H + (kH - 1) * g.dilH;
  const Wp = W + (kW - 1) * g.dilW;
  const pBottom = Hp - pTop - ((Ho - 1) * g.strideH + 1);
  const pRight = Wp - pLeft - ((Wo - 1) * g.strideW + 1);
  return { pTop, pLeft, pBottom, pRight, Hp, Wp };
}
