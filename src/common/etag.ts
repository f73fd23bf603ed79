// A notification's ETag is its version as a strong validator: "7". The representation changes exactly
// when the version does (every UPDATE of the row bumps it).
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Whether an If-Match / If-None-Match header names this version: `*`, or a comma-separated list of
 * entity tags (the weak `W/` prefix is ignored, as If-None-Match's weak comparison does).
 */
export function etagMatches(header: string, version: number): boolean {
  if (header.trim() === '*') return true;
  const current = etagOf(version);
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === current);
}
