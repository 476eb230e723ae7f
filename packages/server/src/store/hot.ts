/**
 * The "popular" order: votes count in orders of magnitude, and every 12.5 hours of age weigh as
 * much as ten times the net votes, so an old comment does not stay on top forever. The score
 * changes only when votes change, so it can be stored, indexed and paged with a cursor.
 */
export function hotScore(likes: number, dislikes: number, createdAt: number): number {
  const net = likes - dislikes;
  const order = Math.log10(Math.max(Math.abs(net), 1));
  return Math.sign(net) * order + createdAt / 45_000_000;
}
