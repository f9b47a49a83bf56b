// Whether a statement may change the database: on SQLite such a statement, made outside a group
// commit body, goes through the committer (sqlite.ts) while a plain read runs at once. Unknown
// statements count as writes (a read then only waits for a commit; a write taken for a read would
// land in whatever transaction is open on the one connection).

/** Blanks and comments before the first keyword. */
const LEAD = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?(?:\*\/|$))*/;
/** Statements that never change rows. PRAGMA sets connection state, outside any transaction. */
const READ = /^(?:SELECT|VALUES|EXPLAIN|PRAGMA)\b/i;
const WRITE_WORD = /\b(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

export function mayWrite(sql: string): boolean {
  const s = sql.replace(LEAD, "");
  if (/^WITH\b/i.test(s)) return WRITE_WORD.test(s); // a CTE read, or a CTE leading to a write
  return !READ.test(s);
}
