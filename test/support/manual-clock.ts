import { Clock } from '../../src/common/clock';

/** A clock that stands still until a test sets or advances it (maintenance windows by schedule). */
export class ManualClock implements Clock {
  private at: number;

  constructor(start: Date | string) {
    this.at = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  set(to: Date | string): void {
    this.at = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
