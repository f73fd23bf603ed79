// Opaque page cursors, one encoding for every list: base64url of a JSON array of strings whose first
// element says what the cursor is for (a list's sort, the change feed, the deliveries list), so a cursor
// of one kind is never resumed as another.

export function encodeCursor(tag: string, position: readonly string[]): string {
  return Buffer.from(JSON.stringify([tag, ...position])).toString('base64url');
}

/** The tag and position of a cursor made by `encodeCursor` with `length` position values; null otherwise. */
export function decodeCursor(cursor: string, length: number): { tag: string; position: string[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== length + 1) return null;
  if (!parsed.every((value): value is string => typeof value === 'string')) return null;
  const [tag, ...position] = parsed;
  return { tag, position };
}
