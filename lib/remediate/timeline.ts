/** One step of a fix run and how long it took, ms (in order; they add up to the run). */
export interface TimedStep {
  step: string;
  ms: number;
}

/**
 * Where a run's time went: each call to `mark` closes the step that ran since the previous mark.
 * Reported with the result (`FixResult.timeline`), so a slow run says which step was slow.
 */
export class Timeline {
  readonly steps: TimedStep[] = [];
  private last = performance.now();

  mark(step: string): void {
    const now = performance.now();
    this.steps.push({ step, ms: Math.round((now - this.last) * 10) / 10 });
    this.last = now;
  }
}
