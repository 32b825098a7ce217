import type { AttributeValue, Dim, DType, GraphNode } from '../types.js';

/** What inference knows about one tensor; `value` holds the elements of small integer tensors (shapes, axes). */
export interface ValueFacts {
  dtype: DType;
  shape: Dim[] | null;
  /** Element values when known (numbers, or symbolic dims flowing through Shape → Gather → Concat chains). */
  value?: Dim[];
}

/** Thrown by a rule when a node's inputs cannot go together (e.g. Conv channel mismatch). */
export class ShapeInferenceError extends Error {
  override name = 'ShapeInferenceError';
}

/** Read access to a node's inputs and attributes for shape rules. */
export class ShapeContext {
  constructor(
    readonly node: GraphNode,
    private readonly facts: (name: string) => ValueFacts | undefined,
    readonly opset: number,
  ) {}

  get inputCount(): number {
    return this.node.inputs.length;
  }

  has(i: number): boolean {
    return i < this.node.inputs.length && this.node.inputs[i] !== '';
  }

  input(i: number): ValueFacts | undefined {
    return this.has(i) ? this.facts(this.node.inputs[i]) : undefined;
  }

  shape(i: number): Dim[] | null {
    return this.input(i)?.shape ?? null;
  }

  dtype(i: number): DType {
    return this.input(i)?.dtype ?? 'undefined';
  }

  /** Known element values of input i (e.g. a Reshape target shape), or null. */
  value(i: number): Dim[] | null {
    return this.input(i)?.value ?? null;
  }

  /** Known numeric values (no symbolic entries), or null. */
  numbers(i: number): number[] | null {
    const v = this.value(i);
    return v && v.every((x) => typeof x === 'number') ? (v as number[]) : null;
  }

  attr(name: string): AttributeValue | undefined {
    return this.node.attributes[name];
  }

  int(name: string, fallback: number): number {
    const a = this.attr(name);
    return a && a.type === 'int' ? Number(a.value) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    return a && a.type === 'ints' ? a.value.map(Number) : undefined;
  }

  float(name: string, fallback: number): number {
    const a = this.attr(name);
    return a && a.type === 'float' ? a.value : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.attr(name);
    return a && a.type === 'string' ? a.value : fallback;
  }

  fail(message: string): never {
    throw new ShapeInferenceError(`${this.node.opType} node "${this.node.name}": ${message}`);
  }
}

/** A shape rule returns facts for each output (in output order). */
export type ShapeRule = (ctx: ShapeContext) => ValueFacts[];
