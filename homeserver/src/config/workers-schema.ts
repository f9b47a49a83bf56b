// The `workers` section: several homeserver processes of one council on one PostgreSQL
// (server/worker/, docs/production.md). `main` is today's process and the one writer; any number
// of `client-reader` processes answer the read-only client endpoints and forward the rest to main.
import { boolean, httpBaseUrl, oneOf, optional, section, withDefault } from "./schema-combinators.ts";
import type { Refined } from "./schema-combinators.ts";
import type { WorkersConfig } from "./config-types.ts";

export const workers = section(
  "Several processes of this homeserver on one PostgreSQL database: one main process (the only writer) and client readers (read-only client endpoints, everything else forwarded to main). `entente serve --role client-reader --port N` starts a reader with the same config file.",
  {
    enabled: withDefault(boolean,
      "Main process: publish wake-ups for client readers (PostgreSQL NOTIFY after each commit). Needs database.type postgres; a reader needs it on main.",
      false),
    role: withDefault(oneOf(["main", "client-reader"]),
      "The role of a process started with this file (the --role option of entente serve overrides it).", "main"),
    main_url: optional(httpBaseUrl,
      "Main process's client listener as the readers reach it (an internal address): where readers forward what they do not serve.",
      "http://127.0.0.1:8008"),
  },
  (w): Refined<WorkersConfig> =>
    w.role === "client-reader" && w.mainUrl === undefined
      ? { ok: false, errors: [{ key: "main_url", message: "required when workers.role is client-reader" }] }
      : { ok: true, value: w },
);
