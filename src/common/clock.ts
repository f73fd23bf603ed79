import { DynamicModule, Global, Module } from '@nestjs/common';

/**
 * The time as the service's time-driven rules see it (silences, maintenance windows). A provider, so
 * that tests move time on instead of sleeping through a schedule.
 */
export abstract class Clock {
  abstract now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Provides the `Clock` everywhere: the system clock, or the one `startApp` was given. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = systemClock): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
