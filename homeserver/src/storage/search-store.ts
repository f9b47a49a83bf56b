// Full-text index of room events for server-side search (POST /search), one per dialect:
// - SQLite: an FTS5 table (unicode61 tokenizer, remove_diacritics 2: case and accents folded, no
//   stemming; queries match word prefixes instead, see search-text.ts), rowid = stream_ordering;
//   contentless since migration 210 (content = '', contentless_delete = 1): the text is in the
//   event itself, so the index keeps none (one b-tree fewer written per message); the key filter
//   is the event's type and the matched words are marked from the event's text (markMatches);
// - PostgreSQL: a tsvector of the accent-folded text under BOTH the 'french' and 'english'
//   configurations (councils write in French, federated rooms often in English), GIN-indexed;
//   queries are OR-ed in both configurations, so "réunions" finds "réunion" and "meetings" "meeting".
// Rows are keyed by the event's stream position and joined to `events`, whose flags decide what is
// live (outliers, rejected, soft-failed and redacted events never come out).
import type { Pdu } from "../room/pdu.ts";
import { foldText, fts5Query, markMatches, MARK_END, MARK_START, queryWords, searchableText, TYPE_OF_KEY, type SearchKey } from "./search-text.ts";
import type { Dialect, SqlExecutor, SqlValue } from "./sql.ts";
import { num, runLater } from "./sql.ts";

const PG_VECTOR = "to_tsvector('french', body) || to_tsvector('english', body)";
const PG_QUERY = "(plainto_tsquery('french', ?) || plainto_tsquery('english', ?))";
const LIVE = "e.outlier = 0 AND e.rejected IS NULL AND e.soft_failed = 0 AND e.redacted_by IS NULL";
const BATCH = 500;

/**
 * The PostgreSQL query text: the term's words (as FTS5 sees them), accent-folded, all required.
 * Only words go to plainto_tsquery, so quotes, OR and '-' in user input are text on both dialects.
 */
const pgTerm = (term: string): string => foldText(queryWords(term).join(" ")).folded;

/** Creates the index tables (migration step). */
export async function createSearchTables(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect === "sqlite") {
    await tx.run("CREATE VIRTUAL TABLE event_search USING fts5(body, key UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')");
    return;
  }
  await tx.run(`CREATE TABLE event_search (stream_ordering BIGINT PRIMARY KEY, key TEXT NOT NULL, body TEXT NOT NULL,
    vector tsvector GENERATED ALWAYS AS (${PG_VECTOR}) STORED)`);
  await tx.run("CREATE INDEX event_search_vector ON event_search USING GIN (vector)");
}

/**
 * Indexes one persisted event when it has searchable cleartext; runs in the persist transaction.
 * `reusable`: the position may have been held by a deleted row (backfill takes MIN - 1); any other
 * new row takes a position above every committed one (SQLite AUTOINCREMENT; a rolled-back
 * position's index row rolled back with it), so there is no stale entry to replace.
 */
export async function indexEventForSearch(tx: SqlExecutor, dialect: Dialect, stream: number, pdu: Pdu, reusable = true): Promise<void> {
  const t = searchableText(pdu);
  if (!t) return;
  // the new event's text replaces any stale entry
  if (dialect === "sqlite") {
    if (reusable) await tx.run("DELETE FROM event_search WHERE rowid = ?", [stream]);
    await tx.run("INSERT INTO event_search (rowid, body) VALUES (?, ?)", [stream, indexedBody(dialect, t.text)]);
  } else {
    // nobody reads its answer: pipelined in PostgreSQL's group transaction (sql.ts runLater)
    await runLater(tx, `INSERT INTO event_search (stream_ordering, key, body) VALUES (?, ?, ?) ${POSTGRES_SEARCH_UPSERT}`,
      [stream, t.key, indexedBody(dialect, t.text)]);
  }
}

/**
 * PostgreSQL: the search row of a new event (its key and stored body; undefined: nothing to
 * index), for a persist that writes it in the event's own statement (event-store.ts), with
 * POSTGRES_SEARCH_UPSERT as in indexEventForSearch.
 */
export function postgresSearchRow(pdu: Pdu): { key: string; body: string } | undefined {
  const t = searchableText(pdu);
  return t === undefined ? undefined : { key: t.key, body: indexedBody("postgres", t.text) };
}
export const POSTGRES_SEARCH_UPSERT = "ON CONFLICT (stream_ordering) DO UPDATE SET key = excluded.key, body = excluded.body";

/**
 * The stored text: as written for FTS5 (its highlight() then names words as written), folded for
 * PostgreSQL. NUL becomes a space as in foldText (same length, so offsets hold): no raw NUL
 * reaches a TEXT column (storage/nul-guard.ts).
 */
function indexedBody(dialect: Dialect, text: string): string {
  return dialect === "sqlite" ? text.replaceAll("\u0000", " ") : foldText(text).folded;
}

/** Removes a redacted event's text from the index (the query also skips redacted events). */
export async function unindexEvent(tx: SqlExecutor, dialect: Dialect, eventId: string): Promise<void> {
  const col = dialect === "sqlite" ? "rowid" : "stream_ordering";
  await tx.run(`DELETE FROM event_search WHERE ${col} IN (SELECT stream_ordering FROM events WHERE event_id = ?)`, [eventId]);
}

/** Migration data step: creates the tables and indexes every stored event. Returns how many were indexed. */
export async function createAndFillSearchIndex(tx: SqlExecutor, dialect: Dialect): Promise<number> {
  await createSearchTables(tx, dialect);
  return fillSearchIndex(tx, dialect, dialect === "sqlite" ? "rowid, key, body" : "stream_ordering, key, body");
}

/**
 * Migration 210 (SQLite): the FTS5 table again, contentless (its content b-tree held a copy of
 * every indexed text, one more page written per message), filled from the events. PostgreSQL's
 * table is unchanged.
 */
export async function contentlessSearchIndex(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  await tx.run("DROP TABLE event_search");
  await tx.run(SQLITE_CONTENTLESS);
  await fillSearchIndex(tx, dialect, "rowid, body");
}
const SQLITE_CONTENTLESS = "CREATE VIRTUAL TABLE event_search USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')";

async function fillSearchIndex(tx: SqlExecutor, dialect: Dialect, cols: "rowid, key, body" | "rowid, body" | "stream_ordering, key, body"): Promise<number> {
  const withKey = cols !== "rowid, body";
  const width = withKey ? 3 : 2;
  let indexed = 0;
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await tx.all<{ stream_ordering: number; json: string }>(
      `SELECT stream_ordering, json FROM events WHERE stream_ordering > ? AND type IN ('m.room.message', 'm.room.name', 'm.room.topic')
       AND rejected IS NULL AND redacted_by IS NULL ORDER BY stream_ordering LIMIT ${BATCH}`, [after]);
    // One multi-row INSERT per batch: row-by-row took ~0.75 ms per event on PostgreSQL.
    const values: SqlValue[] = [];
    for (const r of rows) {
      after = num(r.stream_ordering);
      const t = searchableText(JSON.parse(r.json) as Pdu);
      if (t && withKey) values.push(after, t.key, indexedBody(dialect, t.text));
      else if (t) values.push(after, indexedBody(dialect, t.text));
    }
    if (values.length > 0) {
      const row = withKey ? "(?, ?, ?)" : "(?, ?)";
      await tx.run(`INSERT INTO event_search (${cols}) VALUES ${Array.from({ length: values.length / width }, () => row).join(", ")}`, values);
      indexed += values.length / width;
    }
    if (rows.length < BATCH) return indexed;
  }
}

/** Where the previous page stopped: the last hit's rank key (rank order only) and stream position. */
export interface SearchCursor {
  rankKey?: number | undefined;
  stream: number;
}

export interface SearchQuery {
  term: string;
  roomIds: readonly string[];
  keys: readonly SearchKey[];
  senders: readonly string[] | undefined;
  notSenders: readonly string[];
  order: "rank" | "recent";
  cursor: SearchCursor | undefined;
  limit: number;
}

export interface SearchHit {
  stream: number;
  eventId: string;
  rank: number;
  /** The rank as an integer (micro-units), so pages continue by keyset without float equality. */
  rankKey: number;
}

interface Where {
  from: string;
  where: string;
  params: SqlValue[];
}

/** The join and conditions shared by the page and the count; undefined when nothing can match. */
function whereOf(dialect: Dialect, q: SearchQuery): Where | undefined {
  if (q.roomIds.length === 0 || q.keys.length === 0) return undefined;
  const params: SqlValue[] = [];
  let match: string;
  if (dialect === "sqlite") {
    const expr = fts5Query(q.term);
    if (expr === undefined) return undefined;
    match = "event_search MATCH ?";
    params.push(expr);
  } else {
    const folded = pgTerm(q.term);
    if (folded === "") return undefined;
    match = `s.vector @@ ${PG_QUERY}`;
    params.push(folded, folded);
  }
  // SQLite's contentless index has no key column: one event type per key (search-text.ts)
  const keyCond = dialect === "sqlite" ? `e.type IN (${q.keys.map(() => "?").join(",")})` : `s.key IN (${q.keys.map(() => "?").join(",")})`;
  const conds = [match, `e.room_id IN (${q.roomIds.map(() => "?").join(",")})`, keyCond, LIVE];
  params.push(...q.roomIds, ...(dialect === "sqlite" ? q.keys.map((k) => TYPE_OF_KEY[k]) : q.keys));
  if (q.senders) {
    if (q.senders.length === 0) return undefined;
    conds.push(`e.sender IN (${q.senders.map(() => "?").join(",")})`);
    params.push(...q.senders);
  }
  if (q.notSenders.length > 0) {
    conds.push(`e.sender NOT IN (${q.notSenders.map(() => "?").join(",")})`);
    params.push(...q.notSenders);
  }
  const join = dialect === "sqlite" ? "e.stream_ordering = s.rowid" : "e.stream_ordering = s.stream_ordering";
  return { from: `event_search s JOIN events e ON ${join}`, where: conds.join(" AND "), params };
}

/** One batch of matching live events after the cursor, best first (rank) or newest first (recent). */
export async function searchEvents(db: SqlExecutor, dialect: Dialect, q: SearchQuery): Promise<SearchHit[]> {
  const w = whereOf(dialect, q);
  if (!w) return [];
  // bm25() is lower-is-better; negated so both dialects return higher-is-better ranks.
  const folded = pgTerm(q.term);
  const rank = dialect === "sqlite" ? "-bm25(event_search)" : `ts_rank(s.vector, ${PG_QUERY})`;
  const rankParams: SqlValue[] = dialect === "sqlite" ? [] : [folded, folded];
  const inner = `SELECT e.stream_ordering AS so, e.event_id, ${rank} AS score FROM ${w.from} WHERE ${w.where}`;
  const keyed = `SELECT so, event_id, score, CAST(score * 1000000 AS BIGINT) AS k FROM (${inner}) x`;
  const after: string[] = [];
  const params: SqlValue[] = [...rankParams, ...w.params];
  if (q.cursor && q.order === "recent") {
    after.push("so < ?");
    params.push(q.cursor.stream);
  } else if (q.cursor) {
    after.push("(k < ? OR (k = ? AND so < ?))");
    params.push(q.cursor.rankKey ?? 0, q.cursor.rankKey ?? 0, q.cursor.stream);
  }
  const order = q.order === "recent" ? "so DESC" : "k DESC, so DESC";
  const rows = await db.all<{ so: number; event_id: string; score: number; k: number }>(
    `SELECT * FROM (${keyed}) y ${after.length > 0 ? "WHERE " + after.join(" AND ") : ""} ORDER BY ${order} LIMIT ${Math.trunc(q.limit)}`, params);
  return rows.map((r) => ({ stream: num(r.so), eventId: r.event_id, rank: Number(r.score), rankKey: num(r.k) }));
}

/** How many live events match (before history visibility, so an upper bound: the spec's "approximate count"). */
export async function countSearchHits(db: SqlExecutor, dialect: Dialect, q: SearchQuery): Promise<number> {
  const w = whereOf(dialect, q);
  if (!w) return 0;
  return num((await db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${w.from} WHERE ${w.where}`, w.params))?.n);
}

/**
 * The matched words of hit events: on SQLite the event's text marked as FTS5's highlight() would
 * (the contentless index keeps no text), ts_headline() on the folded text in each configuration on
 * PostgreSQL. Keyed by stream position.
 */
export async function markedTexts(db: SqlExecutor, dialect: Dialect, term: string, streams: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (streams.length === 0) return out;
  const ids = streams.map(() => "?").join(",");
  if (dialect === "sqlite") {
    if (fts5Query(term) === undefined) return out;
    const rows = await db.all<{ stream_ordering: number; json: string }>(`SELECT stream_ordering, json FROM events WHERE stream_ordering IN (${ids})`, [...streams]);
    for (const r of rows) {
      const t = searchableText(JSON.parse(r.json) as Pdu);
      if (t) out.set(num(r.stream_ordering), [markMatches(t.text, term)]);
    }
    return out;
  }
  const folded = pgTerm(term);
  const opts = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
  const rows = await db.all<{ stream_ordering: number; f: string; en: string }>(
    `SELECT stream_ordering, ts_headline('french', body, plainto_tsquery('french', ?), ?) AS f,
       ts_headline('english', body, plainto_tsquery('english', ?), ?) AS en FROM event_search WHERE stream_ordering IN (${ids})`,
    [folded, opts, folded, opts, ...streams]);
  for (const r of rows) out.set(num(r.stream_ordering), [r.f, r.en]);
  return out;
}
