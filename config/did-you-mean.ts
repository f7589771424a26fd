/**
 * "Did you mean": the known word nearest to a near miss, for error messages about a field name,
 * an enum value, a command, a flag or a control id (pure).
 *
 * Near means an edit distance (insertions, deletions, substitutions and swaps of two neighbouring
 * letters, the optimal string alignment distance, compared without case) of at most a third of the
 * word's length, and at least 1, but less than the whole word, so `dryrun` finds `dryRun`,
 * `APIGateway.99` finds `APIGateway.9`, `aut` finds `auto` and `scna` finds `scan`, while a word with
 * nothing close gets no suggestion rather than a random one (one letter is never a near miss of
 * another: `b` does not suggest `a`).
 */

/** The optimal string alignment distance between two words (exported for its tests). */
export function editDistance(left: string, right: string): number {
  const rows: number[][] = [Array.from({ length: right.length + 1 }, (_, index) => index)];
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    // Stryker disable next-line ArrayDeclaration: equivalent, rows[row - 1] always exists (pushed by the row before)
    const above = rows[row - 1] ?? [];
    for (let column = 1; column <= right.length; column += 1) {
      const same = left[row - 1] === right[column - 1];
      let distance = Math.min(
        (above[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (above[column - 1] ?? 0) + (same ? 0 : 1),
      );
      // Two neighbouring letters swapped. At the first row or column one side reads index -1,
      // which is undefined and equals no letter, so no bounds check is needed.
      const swapped = left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      // Stryker disable next-line OptionalChaining: equivalent, a swap needs row ≥ 2, so rows[row - 2] exists
      if (swapped) distance = Math.min(distance, (rows[row - 2]?.[column - 2] ?? 0) + 1);
      current.push(distance);
    }
    rows.push(current);
  }
  // Stryker disable next-line OptionalChaining: equivalent, rows holds left.length + 1 rows
  return rows[left.length]?.[right.length] ?? 0;
}

/** The candidate nearest to `input` (first in the list on a tie), or undefined when none is near. */
export function nearestMatch(input: string, candidates: readonly string[]): string | undefined {
  const wanted = input.toLowerCase();
  const limit = Math.max(1, Math.floor(input.length / 3));
  let best: { readonly candidate: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= limit && distance < input.length && (best === undefined || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

/** `; did you mean "dryRun"?`, or '' when nothing is near: appended to a message that lists what is allowed. */
export function didYouMean(input: unknown, candidates: readonly string[]): string {
  if (typeof input !== 'string') return '';
  const match = nearestMatch(input, candidates);
  return match === undefined ? '' : `; did you mean ${JSON.stringify(match)}?`;
}
