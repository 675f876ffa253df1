import type { Sample } from './measure';

/** A GitHub-flavoured markdown table; columns after the first are right-aligned (they hold numbers). */
export function table(headers: string[], rows: string[][]): string {
  const align = headers.map((_, i) => (i === 0 ? '---' : '---:'));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

/** `1 234` style grouping, so large counts read at a glance in a fixed-width terminal too. */
export function count(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Milliseconds with precision that fits the size: 0.42, 8.3, 412 (and -8.3). */
export function ms(value: number): string {
  const size = Math.abs(value);
  if (size < 1) return value.toFixed(2);
  if (size < 100) return value.toFixed(1);
  return `${value < 0 ? '-' : ''}${count(size)}`;
}

/** Median with the range of the runs: `412 (398–430)`. */
export function sample(s: Sample): string {
  return s.n === 1 ? ms(s.median) : `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
}

export function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}

export function bytes(n: number): string {
  return `${count(n)} B (${(n / 1024).toFixed(0)} KiB)`;
}

/** `a / b` as `3.2×`. */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(1)}×`;
}
