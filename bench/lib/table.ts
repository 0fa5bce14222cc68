import { figure, format } from './stats.ts';

/** How long and how often each suite measures (`--quick` for a smoke run). */
export interface Settings {
  quick: boolean;
  rounds: number;
  /** Seconds of each load run. */
  seconds: number;
  warmSeconds: number;
  /** Consecutive windows measured from a new process's first ready answer. */
  windows: number;
  windowSeconds: number;
}

export function settingsFor(quick: boolean): Settings {
  return quick
    ? { quick, rounds: 1, seconds: 2, warmSeconds: 1, windows: 2, windowSeconds: 2 }
    : { quick, rounds: 3, seconds: 5, warmSeconds: 2, windows: 3, windowSeconds: 5 };
}

type Value = number | number[];

/**
 * Every figure of the run, by section and metric. A metric added once per round becomes
 * `median (min–max)` over the rounds; a list value (p50 / p99) keeps its parts apart.
 */
export class Table {
  readonly #rows = new Map<string, Map<string, Value[]>>();
  readonly #digits = new Map<string, number>();

  add(section: string, metric: string, value: Value, digits?: number): void {
    const rows = this.#rows.get(section) ?? new Map<string, Value[]>();
    this.#rows.set(section, rows);
    rows.set(metric, [...(rows.get(metric) ?? []), value]);
    if (digits !== undefined) this.#digits.set(`${section}\0${metric}`, digits);
  }

  /** The per-round values of one metric (numbers only), for ratios. */
  values(section: string, metric: string): number[] {
    return (this.#rows.get(section)?.get(metric) ?? []).filter((v): v is number => typeof v === 'number');
  }

  markdown(): string {
    const lines = ['| section | metric | median (min–max) |', '|---|---|---|'];
    for (const [section, rows] of this.#rows) {
      for (const [metric, values] of rows) {
        lines.push(`| ${section} | ${metric} | ${this.#cell(section, metric, values)} |`);
      }
    }
    return lines.join('\n');
  }

  #cell(section: string, metric: string, values: Value[]): string {
    const digits = this.#digits.get(`${section}\0${metric}`) ?? defaultDigits(values);
    if (Array.isArray(values[0])) {
      const parts = (values[0] as number[]).map((_, i) => values.map((v) => (v as number[])[i] as number));
      return parts.map((p) => format(figure(p), digits)).join(' / ');
    }
    return format(figure(values as number[]), digits);
  }
}

function defaultDigits(values: Value[]): number {
  const flat = values.flat();
  const max = Math.max(...flat.map(Math.abs));
  return max >= 100 ? 0 : max >= 10 ? 1 : 2;
}
