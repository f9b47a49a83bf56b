// GET /_matrix/key/v2/server[/{keyId}], GET /_matrix/key/v2/query/{serverName}, POST /_matrix/key/v2/query,
// GET /_matrix/federation/v1/version  (federation listener; no request authentication)
// Spec: https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
import type { Router } from "../../http/router.ts";
import type { Clock } from "../../clock.ts";
import { signJson } from "../../../room/signing.ts";
import { isValidServerName } from "../../../spec/ids.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { buildServerKeyDocument, type JsonRecord, type OurKeys } from "../../federation/keys/server-key-document.ts";

export interface FederationKeyRoutesDeps {
  ours: OurKeys;
  keyRing: { getKeyResponse(serverName: string, minValidUntilTs: number): Promise<JsonRecord | undefined> };
  clock: Clock;
  /** Our implementation version, e.g. the homeserver package version. */
  version: string;
}

/** A bulk query may name this many servers at most (each may cost us an outbound request). */
const MAX_QUERIED_SERVERS = 100;

export function federationKeyRoutes(r: Router, deps: FederationKeyRoutesDeps): void {
  r.add("GET", "/_matrix/key/v2/server", async () => ({ json: buildServerKeyDocument(deps.ours, deps.clock.now()) }));
  // The deprecated form with a key id, still requested by older Synapse (1.67 among them): same
  // document, the key id ignored, as Synapse does.
  r.add("GET", "/_matrix/key/v2/server/{keyId}", async () => ({ json: buildServerKeyDocument(deps.ours, deps.clock.now()) }));
  r.add("GET", "/_matrix/key/v2/query/{serverName}", async (ctx) => {
    const serverName = ctx.params["serverName"] ?? "";
    if (!isValidServerName(serverName)) throw new MatrixError("M_INVALID_PARAM", 400, "Not a server name");
    const min = minValidUntil(ctx.query.get("minimum_valid_until_ts"), deps.clock.now());
    return { json: { server_keys: await notarise(deps, [[serverName, min]]) } };
  });
  r.add("POST", "/_matrix/key/v2/query", async (ctx) => {
    return { json: { server_keys: await notarise(deps, bulkCriteria(ctx.body, deps.clock.now())) } };
  });
  r.add("GET", "/_matrix/federation/v1/version", async () => ({ json: { server: { name: "Entente", version: deps.version } } }));
}

function minValidUntil(raw: string | null, now: number): number {
  if (raw === null || raw === "") return now;
  if (!/^\d{1,16}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", 400, "minimum_valid_until_ts must be an integer");
  return Number(raw);
}

/** `server_keys: { name: { keyId: { minimum_valid_until_ts } } }` -> [name, the largest minimum (or now)]. */
function bulkCriteria(body: unknown, now: number): [string, number][] {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const query = isRecord(body) ? body["server_keys"] : undefined;
  if (!isRecord(query)) throw new MatrixError("M_BAD_JSON", 400, "server_keys must be an object");
  const names = Object.keys(query);
  if (names.length > MAX_QUERIED_SERVERS) throw new MatrixError("M_INVALID_PARAM", 400, `At most ${MAX_QUERIED_SERVERS} servers per query`);
  return names.filter(isValidServerName).map((name) => {
    const byKey = query[name];
    const mins = isRecord(byKey)
      ? Object.values(byKey).map((c) => (isRecord(c) ? c["minimum_valid_until_ts"] : undefined)).filter((m): m is number => Number.isSafeInteger(m))
      : [];
    return [name, mins.length > 0 ? Math.max(...mins) : now];
  });
}

/** Each server's own signed document (ours for ourselves), countersigned by us as the notary. */
async function notarise(deps: FederationKeyRoutesDeps, criteria: [string, number][]): Promise<JsonRecord[]> {
  const { ours } = deps;
  const docs = await Promise.all(criteria.map(([name, min]) =>
    name === ours.serverName ? buildServerKeyDocument(ours, deps.clock.now()) : deps.keyRing.getKeyResponse(name, min)));
  return docs.filter((d): d is JsonRecord => d !== undefined).map((d) => signJson(d, ours.serverName, ours.current));
}
