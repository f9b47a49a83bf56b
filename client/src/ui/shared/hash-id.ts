// The id part of a view's address, for the route parsers (no Lit: unit-tested under Node).
/** The decoded `<id>` of a `#/<prefix>/<id>` address; undefined for another address or a bad escape. */
export function idFromHash(hash: string, prefix: string): string | undefined {
  const m = /^#\/([^/]+)\/(.+)$/.exec(hash);
  if (m?.[1] !== prefix || m[2] === undefined) return undefined;
  try {
    return decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
}
