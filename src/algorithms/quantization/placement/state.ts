import type { QuantizerConfig } from '../../../hardware/index.js';

/** A propagating quantizer's place: a pre-hook (one consumer's input) or a post-hook (the tensor itself). */
export type PQPosition =
  | { kind: 'input'; tensor: string; consumer: string; port: number; graphOutput?: boolean }
  | { kind: 'output'; tensor: string };

/** NNCF PropagatingQuantizer: an activation quantizer on its way up the graph. */
export interface PQ {
  id: number;
  configs: QuantizerConfig[];
  pos: PQPosition;
  /** Scopes of the ops whose inputs it quantizes. */
  sinks: Set<string>;
  initializer?: unknown;
  alive: boolean;
}

/** The set of propagating quantizers and their unified-scale groups (union-find over ids). */
export class PropagationState {
  readonly pqs: PQ[] = [];
  private parent: number[] = [];

  add(configs: QuantizerConfig[], pos: PQPosition, sinks: Iterable<string>, initializer?: unknown): PQ {
    const pq: PQ = { id: this.pqs.length, configs, pos, sinks: new Set(sinks), initializer, alive: true };
    this.pqs.push(pq);
    this.parent.push(pq.id);
    return pq;
  }

  /** A copy at another position, in the same unified group only when `unified`. */
  clone(pq: PQ, pos: PQPosition, unified: boolean): PQ {
    const c = this.add([...pq.configs], pos, pq.sinks, pq.initializer);
    if (unified) this.unify(pq, c);
    return c;
  }

  remove(pq: PQ): void {
    pq.alive = false;
  }

  alive(): PQ[] {
    return this.pqs.filter((p) => p.alive);
  }

  /** Alive quantizers sitting on pre-hooks of `tensor`. */
  atInputsOf(tensor: string): PQ[] {
    return this.pqs.filter((p) => p.alive && p.pos.kind === 'input' && p.pos.tensor === tensor);
  }

  atOutput(tensor: string): PQ | undefined {
    return this.pqs.find((p) => p.alive && p.pos.kind === 'output' && p.pos.tensor === tensor);
  }

  root(id: number): number {
    while (this.parent[id] !== id) {
      this.parent[id] = this.parent[this.parent[id]];
      id = this.parent[id];
    }
    return id;
  }

  unify(a: PQ, b: PQ): void {
    const ra = this.root(a.id);
    const rb = this.root(b.id);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  isUnified(pq: PQ): boolean {
    const r = this.root(pq.id);
    return this.pqs.some((p) => p.id !== pq.id && this.root(p.id) === r);
  }
}
