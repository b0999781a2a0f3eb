/** Slack gives every block without a block_id one of its own (interactions carry it back). */
export function assignBlockIds(blocks: unknown): void {
  if (!Array.isArray(blocks)) return;
  for (const [i, b] of blocks.entries()) {
    if (b && typeof b === "object" && !("block_id" in b)) {
      (b as Record<string, unknown>).block_id = `b${i}${Math.random().toString(36).slice(2, 6)}`;
    }
  }
}
