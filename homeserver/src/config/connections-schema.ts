// The `connections` section: caps and timeouts of every listener (client and federation, each
// counted on its own). Each open connection holds a file descriptor; a flood of half-open
// connections once exhausted them and media uploads then failed with EMFILE.
import type { ConnectionsConfig } from "./config-types.ts";
import { integer, section, withDefault } from "./schema-combinators.ts";
import type { Refined } from "./schema-combinators.ts";

export const connections = section(
  "Connection limits and timeouts, applied to each listener (client and federation) separately. A connection over a cap is closed as soon as it is accepted, with a warning in the log (at most one line per 10 s).",
  {
    max_per_listener: withDefault(integer(1),
      "Open connections allowed on one listener; keep it well below the process's open-file limit (ulimit -n).", 2000),
    max_per_address: withDefault(integer(1),
      "Open connections allowed from one client address (IPv6: one /64). Not applied on the client listener when " +
      "listeners.client.trust_forwarded_for is true: there every connection comes from the reverse proxy, which must cap clients itself.",
      200),
    headers_timeout_ms: withDefault(integer(100),
      "A connection must send its complete request headers (and finish the TLS handshake) within this time, else it is closed.",
      20_000),
    request_timeout_ms: withDefault(integer(0),
      "A connection must send its whole request, body included, within this time; it bounds media uploads too " +
      "(600000 = 10 min is 4 GiB at 7 MB/s). 0 means no limit.",
      600_000),
    keep_alive_timeout_ms: withDefault(integer(100),
      "An idle keep-alive connection is closed after this time; keep it above the idle timeout of a reverse proxy in front.",
      65_000),
  },
  (v): Refined<ConnectionsConfig> => {
    const errors: { key: string; message: string }[] = [];
    if (v.maxPerAddress > v.maxPerListener) errors.push({ key: "max_per_address", message: "must be at most max_per_listener" });
    if (v.requestTimeoutMs !== 0 && v.requestTimeoutMs <= v.headersTimeoutMs) {
      errors.push({ key: "request_timeout_ms", message: "must be 0 or more than headers_timeout_ms" });
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: v };
  },
);
