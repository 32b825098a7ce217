/**
 * NNCF's KEEP_SEQUENTIAL filter (get_indexes_of_overlapping_blocks_seq): blocks are edges start→end of
 * a DAG; the longest chain of blocks that follow each other is kept, its nodes and every block that
 * crosses or contains its span are dropped, and the search repeats on what is left.
 *
 * NNCF stores the intended cost under an `attr` dict, so networkx's `dag_longest_path(weight="cost")`
 * finds no `cost` key and weighs every edge 1: the chain with the most blocks wins. Reproduced as is,
 * with networkx's tie-breaking (topological generations in node insertion order; the first best
 * predecessor; the first node of greatest distance), since it decides which blocks NNCF keeps.
 */

class BlockDag {
  /** Node → successors/predecessors (insertion-ordered), edge → block index. */
  readonly succ = new Map<number, Map<number, number>>();
  readonly pred = new Map<number, Map<number, number>>();

  addEdge(u: number, v: number, block: number): void {
    for (const n of [u, v])
      if (!this.succ.has(n)) {
        this.succ.set(n, new Map());
        this.pred.set(n, new Map());
      }
    this.succ.get(u)!.set(v, block);
    this.pred.get(v)!.set(u, block);
  }

  removeNode(n: number): void {
    if (!this.succ.has(n)) return;
    for (const v of this.succ.get(n)!.keys()) this.pred.get(v)!.delete(n);
    for (const u of this.pred.get(n)!.keys()) this.succ.get(u)!.delete(n);
    this.succ.delete(n);
    this.pred.delete(n);
  }

  topologicalOrder(): number[] {
    const indegree = new Map<number, number>();
    const zero: number[] = [];
    for (const [n, p] of this.pred) {
      if (p.size > 0) indegree.set(n, p.size);
      else zero.push(n);
    }
    const order: number[] = [];
    let generation = zero;
    while (generation.length) {
      const nextGen: number[] = [];
      for (const n of generation) {
        order.push(n);
        for (const c of this.succ.get(n)!.keys()) {
          const d = indegree.get(c)! - 1;
          if (d === 0) {
            nextGen.push(c);
            indegree.delete(c);
          } else indegree.set(c, d);
        }
      }
      generation = nextGen;
    }
    return order;
  }

  /** networkx dag_longest_path with unit weights. */
  longestPath(): number[] {
    const dist = new Map<number, [number, number]>();
    for (const v of this.topologicalOrder()) {
      let best: [number, number] | undefined;
      for (const u of this.pred.get(v)!.keys()) {
        const cand: [number, number] = [dist.get(u)![0] + 1, u];
        if (!best || cand[0] > best[0]) best = cand;
      }
      const maxu = best ?? [0, v];
      dist.set(v, maxu[0] >= 0 ? maxu : [0, v]);
    }
    let v: number | undefined;
    let bestLen = -Infinity;
    for (const [n, [len]] of dist)
      if (len > bestLen) {
        bestLen = len;
        v = n;
      }
    const path: number[] = [];
    let u: number | undefined;
    while (u !== v) {
      path.push(v!);
      u = v;
      v = dist.get(v!)![1];
    }
    return path.reverse();
  }
}

/** Indexes of the blocks kept (not overlapping), given each block's start and end op ids. */
export function nonOverlappingSequential(startIds: readonly number[], endIds: readonly number[]): Set<number> {
  const dag = new BlockDag();
  startIds.forEach((s, i) => dag.addEdge(s, endIds[i], i));
  const kept = new Set<number>();
  while (dag.succ.size) {
    const path = dag.longestPath();
    for (let k = 0; k + 1 < path.length; k++) kept.add(dag.succ.get(path[k])!.get(path[k + 1])!);
    for (const n of path) dag.removeNode(n);
    const left = path[0];
    const right = path[path.length - 1];
    const drop = new Set<number>();
    for (const [u, vs] of dag.succ)
      for (const [v, i] of vs) {
        const crosses = (left < startIds[i] && startIds[i] < right) || (left < endIds[i] && endIds[i] < right);
        const contains = startIds[i] <= left && left <= endIds[i] && startIds[i] <= right && right <= endIds[i];
        if (crosses || contains) {
          drop.add(u);
          drop.add(v);
        }
      }
    for (const n of drop) dag.removeNode(n);
  }
  return kept;
}
