/**
 * The simulation's clock: a min-heap of timed callbacks. Ties run in the order they were
 * scheduled (a sequence number breaks them), so a run is deterministic.
 */
interface Entry {
  readonly at: number;
  readonly sequence: number;
  readonly run: () => void;
}

export class EventQueue {
  private readonly heap: Entry[] = [];
  private sequence = 0;
  private clock = 0;

  /** Milliseconds since the burst began. */
  get now(): number {
    return this.clock;
  }

  /** Runs `run` at `at` (never before now). */
  schedule(at: number, run: () => void): void {
    this.push({ at: Math.max(at, this.clock), sequence: this.sequence++, run });
  }

  /** Runs every callback in time order, including those scheduled meanwhile; returns the last time. */
  drain(): number {
    for (let entry = this.pop(); entry !== undefined; entry = this.pop()) {
      this.clock = entry.at;
      entry.run();
    }
    return this.clock;
  }

  get size(): number {
    return this.heap.length;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index] as Entry, heap[parent] as Entry)) break;
      [heap[index], heap[parent]] = [heap[parent] as Entry, heap[index] as Entry];
      index = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.before(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
      if (right < heap.length && this.before(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest] as Entry, heap[index] as Entry];
      index = smallest;
    }
    return top;
  }
}
