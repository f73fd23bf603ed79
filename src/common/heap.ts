import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent. V8's own
 * factor (1.1x to 4x, larger the faster it collects) let the service's heap swing from ~60 to ~190 MB
 * between mark-compacts under a steady load, and RSS with it (V8 commits what it grows into and gives it
 * back later): 230-312 MiB at 400 messages/s. At 50% bench:soak's RSS stays within 3-4% for no CPU per
 * message that bench:ab can tell apart; 30% held it as well and cost 5-10% (docs/design-notes.md, phase 10).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor for this process unless node's command line already sets one. V8 reads
 * the flag each time it sets the next collection's limit, so setting it at start-up is enough; node's
 * NODE_OPTIONS refuses the flag, hence here and not in the start script.
 */
export function steadyHeap(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
