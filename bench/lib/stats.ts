/** Median and spread of rounds: every figure in the results is `median (min–max)`. */

export interface Figure {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function figure(values: number[]): Figure {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, rounds: 0 };
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, rounds: sorted.length };
}

/** The p-th percentile (0–100) of raw samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function format(f: Figure, digits = 0): string {
  if (!f.rounds) return '—';
  const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return f.rounds > 1 && f.min !== f.max ? `${n(f.median)} (${n(f.min)}–${n(f.max)})` : n(f.median);
}
