/** The message of anything thrown, for a log line or an error field (never a stack). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
