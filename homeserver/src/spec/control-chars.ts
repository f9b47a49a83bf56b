// Control characters in names a client puts in URL paths (event types, state keys). They are
// never meaningful there, some break logs and terminals, and PostgreSQL refuses NUL in TEXT
// columns, so a NUL in a type answered 500 on PostgreSQL only (issue 9, finding 11).

/** True when `s` holds a C0 control (U+0000–U+001F) or DEL (U+007F). */
export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || c === 0x7f) return true;
  }
  return false;
}

/** True when `s` holds U+0000, which no PostgreSQL TEXT column can store. */
export const hasNul = (s: string): boolean => s.includes("\u0000");
