/**
 * Would giving department `id` the parent `parentId` close a loop? `parentOf` maps every department to its
 * current parent. Pure, so the rule is testable without a database.
 */
export function wouldCycle(parentOf: ReadonlyMap<string, string | null>, id: string, parentId: string | null): boolean {
  const seen = new Set<string>();
  for (let at: string | null = parentId; at !== null; at = parentOf.get(at) ?? null) {
    if (at === id) return true;
    if (seen.has(at)) return true; // an existing loop above: refuse rather than join it
    seen.add(at);
  }
  return false;
}
