/** Tags as `key:value` strings whichever way the source sent them (array, or an older object form). */
export function tagList(tags: string[] | Record<string, string> | undefined): string[] {
  if (!tags) return [];
  return Array.isArray(tags) ? tags : Object.entries(tags).map(([k, v]) => `${k}:${v}`);
}
