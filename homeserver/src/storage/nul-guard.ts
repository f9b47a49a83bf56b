// PostgreSQL cannot store U+0000 in TEXT ("invalid byte sequence for encoding UTF8: 0x00"), so a
// client string with a NUL that reached an indexed column (a relation's rel_type, a display name,
// a device name…) answered 500 on PostgreSQL only (issue 9, finding 11). Event and account-data
// JSON is stored as JSON text, where a NUL is the escape `\u0000` and round-trips exactly; only
// raw string values reach this check. Both dialects apply it, so SQLite and PostgreSQL answer the
// same 400 instead of SQLite storing what PostgreSQL refuses.
import { MatrixError } from "../spec/matrix-error.ts";
import type { SqlValue } from "./sql.ts";

/** Throws M_BAD_JSON (400) when a string parameter holds U+0000. */
export function rejectNulParams(params: readonly SqlValue[]): void {
  for (const p of params) {
    if (typeof p === "string" && p.includes("\u0000")) {
      throw new MatrixError("M_BAD_JSON", 400, "Strings containing U+0000 (NUL) cannot be stored here");
    }
  }
}
