/** The figures' arithmetic, shared by every part of the bench. */

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Two decimals, for ratios. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
