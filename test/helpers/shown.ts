/** A secret a use case returned to be shown once; it returns none when the key owner reveals it. */
export function shown(secret: string | null): string {
  if (!secret) throw new Error("no secret was shown: it was left for the key owner");
  return secret;
}
