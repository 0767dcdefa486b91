// The set of record numbers already emitted, kept as sorted disjoint ranges: a live log's numbers are
// consecutive, so this stays a handful of entries however many records the file holds.

export class NumberRanges {
  /** Sorted, disjoint, non-adjacent [low, high] pairs. */
  private readonly ranges: Array<[number, number]> = [];

  has(n: number): boolean {
    const i = this.indexAtOrBefore(n);
    return i >= 0 && this.ranges[i][1] >= n;
  }

  add(n: number): void {
    const i = this.indexAtOrBefore(n);
    const before = i >= 0 ? this.ranges[i] : undefined;
    const after = this.ranges[i + 1];
    if (before && before[1] >= n) return;
    const joinsBefore = before !== undefined && before[1] === n - 1;
    const joinsAfter = after !== undefined && after[0] === n + 1;
    if (joinsBefore && joinsAfter) {
      before[1] = after[1];
      this.ranges.splice(i + 1, 1);
    } else if (joinsBefore) {
      before[1] = n;
    } else if (joinsAfter) {
      after[0] = n;
    } else {
      this.ranges.splice(i + 1, 0, [n, n]);
    }
  }

  /** Index of the last range starting at or before `n`, or -1. */
  private indexAtOrBefore(n: number): number {
    let low = 0;
    let high = this.ranges.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.ranges[mid][0] <= n) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
