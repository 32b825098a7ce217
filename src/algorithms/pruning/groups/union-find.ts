/** Disjoint sets over string keys, merged in call order (NNCF's Clusterization, without ids). */
export class UnionFind {
  private parent = new Map<string, string>();

  add(key: string): void {
    if (!this.parent.has(key)) this.parent.set(key, key);
  }

  has(key: string): boolean {
    return this.parent.has(key);
  }

  find(key: string): string {
    let r = key;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    let k = key;
    while (k !== r) {
      const next = this.parent.get(k)!;
      this.parent.set(k, r);
      k = next;
    }
    return r;
  }

  union(keys: readonly string[]): void {
    const present = keys.filter((k) => this.parent.has(k));
    if (present.length < 2) return;
    const root = this.find(present[0]);
    for (const k of present.slice(1)) {
      const r = this.find(k);
      if (r !== root) this.parent.set(r, root);
    }
  }

  /** Sets in order of their first member's insertion. */
  sets(): string[][] {
    const bucket = new Map<string, string[]>();
    for (const k of this.parent.keys()) {
      const r = this.find(k);
      const list = bucket.get(r);
      if (list) list.push(k);
      else bucket.set(r, [k]);
    }
    return [...bucket.values()];
  }
}
