/**
 * Cold starts from the measured bundles: the "init CPU now (ms)" column of docs/benchmarks.md's
 * bench:cold-start table (CPU time of each bundle's module import, median of interleaved runs on
 * this repository's x86_64 machine), parsed from the document so that a re-measurement moves the
 * simulation. CPU rather than wall time because the wall column was mostly waiting for a CPU on
 * the loaded machine (the document says so).
 *
 * On Lambda the import runs on a fraction of a vCPU: "at 1,769 MB, a function has the equivalent
 * of one vCPU" and CPU is allocated in proportion to memory
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); the functions have
 * 512 MB (infra/functions.ts), so the init is scaled by 1769 / 512. The sandbox and runtime start
 * before the import is not measured and is not added.
 */
import { TASKS } from '../../state-machines/tasks.js';

export const VCPU_MEGABYTES = 1_769;

/** Function short name (the entry's basename, e.g. `apply`) → init CPU ms, from a benchmarks.md text. */
export function parseInitTimes(markdown: string): Map<string, number> {
  const lines = markdown.split('\n');
  const headerIndex = lines.findIndex((line) => line.startsWith('|') && line.includes('init CPU now (ms)'));
  if (headerIndex < 0) throw new Error('docs/benchmarks.md has no "init CPU now (ms)" table');
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const header = cells(lines[headerIndex] ?? '');
  const column = header.indexOf('init CPU now (ms)');
  const times = new Map<string, number>();
  for (const line of lines.slice(headerIndex + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const value = Number((row[column] ?? '').replace(/,/g, ''));
    if (row[0] !== undefined && Number.isFinite(value) && value > 0) times.set(row[0], value);
  }
  if (times.size === 0) throw new Error('the "init CPU now (ms)" table of docs/benchmarks.md has no rows');
  return times;
}

/** The definition's substitution (e.g. ApplyFunctionArn) → the function's short name (apply). */
export function functionNameOf(substitution: string): string {
  const task = TASKS.find((candidate) => candidate.substitution === substitution);
  if (task === undefined) return substitution;
  return task.entry.replace(/^.*\//, '').replace(/\.ts$/, '');
}

/** Cold start of a function on Lambda, in ms; the median of the measured ones for one not measured. */
export function coldStartOnLambda(
  initTimes: ReadonlyMap<string, number>,
  memoryMegabytes: number,
): (substitution: string) => number {
  const measured = [...initTimes.values()].sort((a, b) => a - b);
  const median = measured[Math.floor(measured.length / 2)] ?? 0;
  const scale = Math.max(1, VCPU_MEGABYTES / memoryMegabytes);
  return (substitution) => Math.round((initTimes.get(functionNameOf(substitution)) ?? median) * scale);
}
