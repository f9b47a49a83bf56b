// Versioned migrations, written once for both dialects ({{...}} fragments, see ddl()).
// A migration is never edited once released: add a new one.

import type { Dialect, SqlExecutor } from "./sql.ts";
import { reindexRelations } from "./relations-reindex.ts";
import { contentlessSearchIndex, createAndFillSearchIndex } from "./search-store.ts";
import { pushActionsByUserAgain, pushActionsInOneBtree, pushActionsSlim } from "./push-store.ts";
import { tokenRevocationTrigger } from "./token-revocations.ts";
import { sendPathBtrees } from "./send-path-btrees.ts";
import { pushActionsPerEvent } from "./push-rows.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A data step run after `sql`, in the same transaction (what SQL alone cannot do on both dialects). */
  run?: (tx: SqlExecutor, dialect: Dialect) => Promise<unknown>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE users (
  user_id TEXT PRIMARY KEY, password_hash TEXT, is_admin INTEGER NOT NULL DEFAULT 0,
  deactivated INTEGER NOT NULL DEFAULT 0, displayname TEXT, avatar_url TEXT,
  appservice_id TEXT, created_ts {{BIGINT}} NOT NULL
);
CREATE TABLE devices (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, display_name TEXT,
  last_seen_ts {{BIGINT}}, last_seen_ip TEXT, PRIMARY KEY (user_id, device_id)
);
CREATE TABLE access_tokens (
  token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL, created_ts {{BIGINT}} NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);
CREATE TABLE login_tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_ts {{BIGINT}} NOT NULL);
CREATE TABLE rooms (
  room_id TEXT PRIMARY KEY, room_version TEXT NOT NULL, creator TEXT NOT NULL,
  is_public INTEGER NOT NULL DEFAULT 0, created_ts {{BIGINT}} NOT NULL,
  current_state_group {{BIGINT}}
);
CREATE TABLE events (
  stream_ordering {{SERIAL_PK}}, event_id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL,
  type TEXT NOT NULL, state_key TEXT, sender TEXT NOT NULL, depth {{BIGINT}} NOT NULL,
  origin_server_ts {{BIGINT}} NOT NULL, json TEXT NOT NULL, state_group {{BIGINT}}, state_group_before {{BIGINT}},
  outlier INTEGER NOT NULL DEFAULT 0, rejected TEXT, soft_failed INTEGER NOT NULL DEFAULT 0,
  redacted_by TEXT, relates_to TEXT, rel_type TEXT, thread_id TEXT
);
CREATE INDEX events_room_stream ON events (room_id, stream_ordering);
CREATE INDEX events_relates ON events (relates_to, rel_type);
CREATE INDEX events_room_ts ON events (room_id, origin_server_ts);
CREATE TABLE event_txns (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, txn_id TEXT NOT NULL, event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, device_id, txn_id)
);
CREATE TABLE state_groups (
  id {{SERIAL_PK}}, room_id TEXT NOT NULL, prev_group {{BIGINT}}, depth INTEGER NOT NULL
);
CREATE TABLE state_group_entries (
  state_group {{BIGINT}} NOT NULL, type TEXT NOT NULL, state_key TEXT NOT NULL, event_id TEXT,
  PRIMARY KEY (state_group, type, state_key)
);
CREATE TABLE current_state (
  room_id TEXT NOT NULL, type TEXT NOT NULL, state_key TEXT NOT NULL, event_id TEXT NOT NULL,
  membership TEXT, stream_ordering {{BIGINT}} NOT NULL, PRIMARY KEY (room_id, type, state_key)
);
CREATE INDEX current_state_member ON current_state (state_key, type, membership);
CREATE TABLE forward_extremities (room_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (room_id, event_id));
CREATE TABLE room_aliases (alias TEXT PRIMARY KEY, room_id TEXT NOT NULL, creator TEXT NOT NULL);
CREATE TABLE account_data (
  stream_id {{SERIAL_PK}}, user_id TEXT NOT NULL, room_id TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL
);
CREATE UNIQUE INDEX account_data_key ON account_data (user_id, room_id, type);
CREATE TABLE receipts (
  stream_id {{SERIAL_PK}}, room_id TEXT NOT NULL, receipt_type TEXT NOT NULL, user_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, event_id TEXT NOT NULL, ts {{BIGINT}} NOT NULL
);
CREATE UNIQUE INDEX receipts_key ON receipts (room_id, receipt_type, user_id, thread_id);
CREATE TABLE filters (user_id TEXT NOT NULL, filter_id {{SERIAL_PK}}, json TEXT NOT NULL);
CREATE TABLE media (
  media_id TEXT PRIMARY KEY, user_id TEXT, content_type TEXT, upload_name TEXT, size {{BIGINT}},
  sha256 TEXT, created_ts {{BIGINT}} NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0, expires_ts {{BIGINT}}
);
CREATE TABLE media_refs (media_id TEXT NOT NULL, room_id TEXT NOT NULL, PRIMARY KEY (media_id, room_id));
CREATE TABLE reports (id {{SERIAL_PK}}, user_id TEXT NOT NULL, room_id TEXT NOT NULL, event_id TEXT, reason TEXT, score INTEGER, ts {{BIGINT}} NOT NULL);
CREATE TABLE presence (user_id TEXT PRIMARY KEY, state TEXT NOT NULL, status_msg TEXT, last_active_ts {{BIGINT}} NOT NULL);
CREATE TABLE room_forgotten (user_id TEXT NOT NULL, room_id TEXT NOT NULL, PRIMARY KEY (user_id, room_id));
`,
  },
  {
    // Account API (server/api/account/): OpenID tokens for widgets, extended profile fields
    // (spec v1.16 /profile/{userId}/{keyName}), and pushers registered by clients.
    version: 2,
    name: "account",
    sql: `
CREATE TABLE openid_tokens (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_ts {{BIGINT}} NOT NULL);
CREATE TABLE profile_fields (user_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (user_id, field));
CREATE TABLE pushers (
  user_id TEXT NOT NULL, app_id TEXT NOT NULL, pushkey TEXT NOT NULL, device_id TEXT NOT NULL,
  json TEXT NOT NULL, created_ts {{BIGINT}} NOT NULL, PRIMARY KEY (user_id, app_id, pushkey)
);
CREATE INDEX pushers_key ON pushers (app_id, pushkey);
`,
  },
  {
    // Per-user media quota sums sizes by uploader (server/media/media-repository.ts).
    version: 3,
    name: "media_user_index",
    sql: `
CREATE INDEX media_user ON media (user_id, uploaded);
`,
  },
  {
    // Other servers' signing keys (server/federation/keys/key-ring.ts): one row per key, valid for
    // events up to valid_until_ts (expired_ts for old_verify_keys); plus the latest key response
    // each server signed, served again by our notary endpoints.
    // https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
    version: 4,
    name: "server_keys",
    sql: `
CREATE TABLE server_keys (
  server_name TEXT NOT NULL, key_id TEXT NOT NULL, public_key TEXT NOT NULL,
  valid_until_ts {{BIGINT}} NOT NULL, fetched_ts {{BIGINT}} NOT NULL, PRIMARY KEY (server_name, key_id)
);
CREATE TABLE server_key_responses (
  server_name TEXT PRIMARY KEY, valid_until_ts {{BIGINT}} NOT NULL, fetched_ts {{BIGINT}} NOT NULL, json TEXT NOT NULL
);
`,
  },
  {
    // Federation: durable outbound queue per destination, inbound transaction ids, remote invites.
    version: 20,
    name: "federation",
    sql: `
CREATE TABLE federation_outbox (
  id {{SERIAL_PK}}, destination TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL, created_ts {{BIGINT}} NOT NULL
);
CREATE INDEX federation_outbox_dest ON federation_outbox (destination, id);
CREATE TABLE federation_destinations (
  destination TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, retry_at {{BIGINT}} NOT NULL DEFAULT 0,
  last_success_ts {{BIGINT}}, last_error TEXT
);
CREATE TABLE federation_inbound_txns (origin TEXT NOT NULL, txn_id TEXT NOT NULL, response TEXT NOT NULL, ts {{BIGINT}} NOT NULL, PRIMARY KEY (origin, txn_id));
CREATE TABLE invite_states (room_id TEXT NOT NULL, user_id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
`,
  },
  {
    // Application service pushers (server/appservice/, storage/appservice-store.ts): per appservice
    // the stream positions read so far and the transaction in flight, and the queue of items to push.
    // https://spec.matrix.org/v1.16/application-service-api/#pushing-events
    version: 30,
    name: "appservices",
    sql: `
CREATE TABLE appservice_state (
  as_id TEXT PRIMARY KEY, events_pos {{BIGINT}} NOT NULL, receipts_pos {{BIGINT}} NOT NULL,
  next_txn_id {{BIGINT}} NOT NULL, txn_id {{BIGINT}}, txn_last_item {{BIGINT}}
);
CREATE TABLE appservice_queue (id {{SERIAL_PK}}, as_id TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX appservice_queue_as ON appservice_queue (as_id, id);
`,
  },
  {
    // End-to-end encryption (storage/e2ee-store.ts, storage/e2ee-backup-store.ts): device, one-time,
    // fallback and cross-signing keys with uploaded signatures; the device-list change stream; the
    // to-device stream (messages kept until acknowledged; e2e_stream_heads keeps its position
    // monotonic as rows are deleted); to-device messages queued for other servers; key backups.
    // https://spec.matrix.org/v1.16/client-server-api/#end-to-end-encryption
    version: 40,
    name: "e2ee",
    sql: `
CREATE TABLE e2e_device_keys (user_id TEXT NOT NULL, device_id TEXT NOT NULL, key_json TEXT NOT NULL, PRIMARY KEY (user_id, device_id));
CREATE TABLE e2e_one_time_keys (
  id {{SERIAL_PK}}, user_id TEXT NOT NULL, device_id TEXT NOT NULL, algorithm TEXT NOT NULL, key_id TEXT NOT NULL, key_json TEXT NOT NULL
);
CREATE UNIQUE INDEX e2e_one_time_keys_key ON e2e_one_time_keys (user_id, device_id, algorithm, key_id);
CREATE TABLE e2e_fallback_keys (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, algorithm TEXT NOT NULL, key_id TEXT NOT NULL, key_json TEXT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user_id, device_id, algorithm)
);
CREATE TABLE e2e_cross_signing_keys (
  user_id TEXT NOT NULL, key_type TEXT NOT NULL, public_key TEXT NOT NULL, key_json TEXT NOT NULL, PRIMARY KEY (user_id, key_type)
);
CREATE TABLE e2e_signatures (
  target_user_id TEXT NOT NULL, target_key_id TEXT NOT NULL, signer_user_id TEXT NOT NULL, signer_key_id TEXT NOT NULL,
  signature TEXT NOT NULL, PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
);
CREATE TABLE device_list_changes (stream_id {{SERIAL_PK}}, user_id TEXT NOT NULL);
CREATE INDEX device_list_changes_user ON device_list_changes (user_id, stream_id);
CREATE TABLE to_device_messages (
  stream_id {{SERIAL_PK}}, user_id TEXT NOT NULL, device_id TEXT NOT NULL, sender TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL
);
CREATE INDEX to_device_messages_device ON to_device_messages (user_id, device_id, stream_id);
CREATE TABLE to_device_txns (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, txn_id TEXT NOT NULL, ts {{BIGINT}} NOT NULL, PRIMARY KEY (user_id, device_id, txn_id)
);
CREATE TABLE e2e_stream_heads (stream TEXT PRIMARY KEY, pos {{BIGINT}} NOT NULL);
CREATE TABLE federation_to_device_outbox (id {{SERIAL_PK}}, destination TEXT NOT NULL, edu_json TEXT NOT NULL, created_ts {{BIGINT}} NOT NULL);
CREATE INDEX federation_to_device_outbox_dest ON federation_to_device_outbox (destination, id);
CREATE TABLE e2e_room_keys_versions (
  version {{SERIAL_PK}}, user_id TEXT NOT NULL, algorithm TEXT NOT NULL, auth_data TEXT NOT NULL,
  etag {{BIGINT}} NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX e2e_room_keys_versions_user ON e2e_room_keys_versions (user_id, version);
CREATE TABLE e2e_room_keys (
  user_id TEXT NOT NULL, version {{BIGINT}} NOT NULL, room_id TEXT NOT NULL, session_id TEXT NOT NULL,
  first_message_index {{BIGINT}} NOT NULL, forwarded_count {{BIGINT}} NOT NULL, is_verified INTEGER NOT NULL,
  session_data TEXT NOT NULL, PRIMARY KEY (user_id, version, room_id, session_id)
)
`,
  },
  {
    // Device lists announced to other servers: deletions are announced too, and prev_id chains.
    version: 50,
    name: "device-list-announcements",
    sql: `
CREATE TABLE device_list_announced (user_id TEXT NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (user_id, device_id));
CREATE TABLE device_list_outbound_stream (user_id TEXT PRIMARY KEY, stream_id {{BIGINT}} NOT NULL);
`,
  },
  {
    // Presence as a stream for /sync: one row per user, moved to the head on every change.
    version: 60,
    name: "presence-stream",
    sql: `
CREATE TABLE presence_stream (stream_id {{SERIAL_PK}}, user_id TEXT NOT NULL);
CREATE UNIQUE INDEX presence_stream_user ON presence_stream (user_id);
`,
  },
  {
    // Relations of events received over federation or by backfill were not indexed: fill
    // relates_to/rel_type/thread_id from each stored event's content (storage/relations-reindex.ts).
    version: 70,
    name: "relations-of-all-events",
    sql: `
CREATE INDEX events_thread ON events (room_id, thread_id);
`,
    run: reindexRelations,
  },
  {
    // Push notifications (server/push/): the actions of each notifying event per local user (for
    // unread counts and /notifications), how far the event stream has been evaluated (existing
    // history is not evaluated), and the durable queue of pushes to each HTTP pusher.
    version: 80,
    name: "push-actions-and-pusher-queue",
    sql: `
CREATE TABLE push_actions (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering {{BIGINT}} NOT NULL, event_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT NOT NULL, ts {{BIGINT}} NOT NULL,
  PRIMARY KEY (user_id, stream_ordering)
);
CREATE INDEX push_actions_room ON push_actions (user_id, room_id, stream_ordering);
CREATE TABLE push_progress (id INTEGER PRIMARY KEY, stream_ordering {{BIGINT}} NOT NULL);
INSERT INTO push_progress (id, stream_ordering) SELECT 1, COALESCE(MAX(stream_ordering), 0) FROM events;
CREATE TABLE pusher_queue (
  id {{SERIAL_PK}}, user_id TEXT NOT NULL, app_id TEXT NOT NULL, pushkey TEXT NOT NULL,
  room_id TEXT NOT NULL, event_id TEXT, actions TEXT, created_ts {{BIGINT}} NOT NULL
);
CREATE INDEX pusher_queue_pusher ON pusher_queue (user_id, app_id, pushkey, id)
`,
  },
  {
    // Transaction ids are scoped to (device, request path) as the spec says: the same txn id sent
    // to two rooms, or as a message then a reaction, is two requests. event_txns and to_device_txns
    // gain the path (to-device: the event type, the only variable part of its path) in their keys.
    // Old rows keep their retry semantics: the path is rebuilt from the event (send requests).
    // https://spec.matrix.org/v1.16/client-server-api/#transaction-identifiers
    version: 90,
    name: "txn-ids-scoped-by-path",
    sql: `
CREATE TABLE event_txns_by_path (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, request_path TEXT NOT NULL, txn_id TEXT NOT NULL, event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, device_id, request_path, txn_id)
);
INSERT INTO event_txns_by_path (user_id, device_id, request_path, txn_id, event_id)
  SELECT t.user_id, t.device_id, COALESCE('/rooms/' || e.room_id || '/send/' || e.type, ''), t.txn_id, t.event_id
  FROM event_txns t LEFT JOIN events e ON e.event_id = t.event_id;
DROP TABLE event_txns;
ALTER TABLE event_txns_by_path RENAME TO event_txns;
CREATE TABLE to_device_txns_by_type (
  user_id TEXT NOT NULL, device_id TEXT NOT NULL, event_type TEXT NOT NULL, txn_id TEXT NOT NULL, ts {{BIGINT}} NOT NULL,
  PRIMARY KEY (user_id, device_id, event_type, txn_id)
);
INSERT INTO to_device_txns_by_type (user_id, device_id, event_type, txn_id, ts) SELECT user_id, device_id, '', txn_id, ts FROM to_device_txns;
DROP TABLE to_device_txns;
ALTER TABLE to_device_txns_by_type RENAME TO to_device_txns
`,
  },
  {
    // Server-side search (POST /search): a full-text index of m.room.message bodies and room
    // names/topics, FTS5 on SQLite, tsvector + GIN on PostgreSQL (storage/search-store.ts), filled
    // with the events stored so far. Encrypted events have no cleartext and are never indexed.
    version: 100,
    name: "event-search-index",
    sql: "",
    run: createAndFillSearchIndex,
  },
  {
    // unsigned.transaction_id of a page of events (storage/event-queries.ts transactionIds) looked
    // each event up by id: without this index every slice of 500 ids scanned all the device's
    // transactions (22,000 for an agent who wrote a task list: 44 scans for one read of it). The
    // user and device follow the event id so SQLite prefers this index to the primary key's
    // (user, device) prefix; the txn id makes it covering.
    version: 110,
    name: "event-txns-by-event",
    sql: "CREATE INDEX event_txns_event ON event_txns (event_id, user_id, device_id, txn_id)",
  },
  {
    // SQLite: push actions in one b-tree (WITHOUT ROWID, keyed by user, room, position) instead of
    // a rowid table and two indexes: 21 rows per message in a 22-member room (push-store.ts).
    version: 120,
    name: "push-actions-one-btree",
    sql: "",
    run: pushActionsInOneBtree,
  },
  {
    // The relation index answers the relation walks and bundled aggregations by itself: they read
    // the children of every event of a page (a task list's 2,000 tasks have 20,000 updates) and,
    // with only (relates_to, rel_type) indexed, looked each child's row up for its id, room,
    // sender, state group and timeline flags (two thirds of those queries' time). Only events
    // with a relation are in it: every query on it names a relates_to (storage/event-queries.ts).
    version: 130,
    name: "covering-relations-index",
    sql: `
DROP INDEX events_relates;
CREATE INDEX events_relates ON events (relates_to, rel_type, outlier, soft_failed, rejected, room_id, stream_ordering, event_id, sender, type, state_key, state_group)
  WHERE relates_to IS NOT NULL
`,
  },
  {
    // Withdrawn (SQLite push actions keyed by room, position, user): kept as a number so a
    // database that ran it and every other one go through 150 alike.
    version: 140,
    name: "push-actions-by-room-position-withdrawn",
    sql: "",
  },
  {
    // SQLite: a database that ran the withdrawn 140 gets migration 120's (user, room, position)
    // key back (push-store.ts pushActionsByUserAgain); others are unchanged.
    version: 150,
    name: "push-actions-by-user-again",
    sql: "",
    run: pushActionsByUserAgain,
  },
  {
    // PostgreSQL: processes keeping access tokens in memory (server/users/access-token-cache.ts)
    // hear of every deletion, whoever makes it (client reader, CLI): a statement trigger NOTIFYs
    // (storage/token-revocations.ts). SQLite: nothing to do (the cache watches data_version).
    version: 160,
    name: "access-token-revocation-notify",
    sql: "",
    run: tokenRevocationTrigger,
  },
  {
    // SQLite: push-action rows without the event id (readers join events on the position) and
    // with NULL for the usual ["notify"] actions: smaller rows in the 21 leaves a message's
    // actions dirty (push-store.ts pushActionsSlim). PostgreSQL is unchanged.
    version: 170,
    name: "push-actions-slim",
    sql: "",
    run: pushActionsSlim,
  },
  {
    // /sync's positions statement reads the newest membership row position (sync-queries.ts
    // memberRows) from this index: when it is not past the token, no membership changed anywhere
    // and the device-list membership read is skipped (e2ee/device-lists.ts).
    version: 180,
    name: "current-state-member-position",
    sql: "CREATE INDEX current_state_member_position ON current_state (stream_ordering) WHERE type = 'm.room.member';",
  },
  {
    // SQLite: forward extremities and transaction ids in one b-tree each (WITHOUT ROWID), the
    // thread index only for events with a thread: ~3 WAL pages fewer per lone message
    // (storage/send-path-btrees.ts).
    version: 190,
    name: "send-path-btrees",
    sql: "",
    run: sendPathBtrees,
  },
  {
    // Push actions as one row per event naming its recipient set, the sets' members written once
    // (push-rows.ts): a message writes one small row at its room's end instead of a row per
    // recipient in as many leaves. `push_actions` stays as a view of the per-user rows.
    version: 200,
    name: "push-actions-per-event",
    sql: "",
    run: pushActionsPerEvent,
  },
  {
    // The per-user reads' index (room, set, position) for a database that ran migration 200 before
    // it made the index itself (605836a); elsewhere already there (review R14).
    version: 201,
    name: "push-actions-by-set-index",
    sql: "CREATE INDEX IF NOT EXISTS push_actions_by_event_set ON push_actions_by_event (room_id, set_id, stream_ordering);",
  },
  {
    // A user's set entries with their highlight and actions in the index: a per-user read no
    // longer looks each set up in the table (review R13: a user in 2,000 sets of a room).
    version: 202,
    name: "push-recipient-sets-user-covering",
    sql: "CREATE INDEX IF NOT EXISTS push_recipient_sets_user_cover ON push_recipient_sets (user_id, room_id, set_id, highlight, actions); DROP INDEX IF EXISTS push_recipient_sets_user;",
  },
  {
    // SQLite: the search index contentless (content = '', contentless_delete = 1), refilled from
    // the events: its content b-tree copied every indexed text, one more WAL page per message;
    // the text is read from the event (storage/search-store.ts). PostgreSQL unchanged.
    version: 210,
    name: "search-index-contentless",
    sql: "",
    run: contentlessSearchIndex,
  },
];
