// Resolving a server name to where we connect, the Host header and the certificate name.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#resolving-server-names
// federation.host_map comes first: an entry acts like a .well-known delegation to host:port.
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import type { HostMapTarget } from "../../../config/config-types.ts";
import { isValidServerName } from "../../../spec/ids.ts";
import type { Clock } from "../../clock.ts";
import type { OutboundTarget } from "./outbound-http.ts";
import type { WellKnownFetcher } from "./well-known.ts";

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}
export type SrvResolver = (name: string) => Promise<SrvRecord[]>;

/** A missing or failing SRV lookup means "no SRV record" (the spec then falls back to port 8448). */
export const systemSrvResolver: SrvResolver = (name) => dns.resolveSrv(name).catch(() => []);

export interface ServerResolverDeps {
  hostMap: ReadonlyMap<string, HostMapTarget>;
  fetchWellKnown: WellKnownFetcher;
  resolveSrv?: SrvResolver;
  clock: Clock;
}

const DEFAULT_PORT = 8448;
const HOUR = 3600_000;
/** Well-known answers without cache headers: the spec's recommended 24 hours. */
const DEFAULT_CACHE_MS = 24 * HOUR;
/** Never refetch more often than this, whatever the headers say. */
const MIN_CACHE_MS = 60_000;
/** A definite "no delegation" (404, bad JSON) is cached an hour, as the spec recommends for errors. */
const ERROR_CACHE_MS = HOUR;
/** Network errors back off exponentially from two minutes up to that hour. */
const TRANSIENT_FIRST_MS = 2 * 60_000;
const MAX_ENTRIES = 10_000;

/** Splits `host[:port]`; IPv6 literals lose their brackets. Undefined when not a server name. */
export function splitServerName(name: string): { host: string; port: number | undefined } | undefined {
  if (!isValidServerName(name)) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name);
  if (m === null) return undefined;
  const host = (m[1] ?? "").replace(/^\[|\]$/g, "");
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host, port };
}

/** The hostname part of a server name, or undefined when that is an IP literal (no SNI then). */
function hostnameOf(serverName: string): string | undefined {
  const host = splitServerName(serverName)?.host;
  return host === undefined || isIP(host) !== 0 ? undefined : host;
}

const hostPort = (host: string, port: number): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

const direct = (connectHost: string, port: number, hostHeader: string, certName: string | undefined): OutboundTarget => ({
  scheme: "https", connectHost, port, hostHeader, tlsServerName: certName, allowPrivate: false,
});

/** SRV choice: lowest priority, then highest weight (deterministic); "." means "no service". */
export function pickSrv(records: readonly SrvRecord[]): SrvRecord | undefined {
  const usable = records.filter((r) => r.name !== "" && r.name !== ".");
  usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  const best = usable[0];
  return best && { ...best, name: best.name.replace(/\.$/, "") };
}

interface CacheEntry {
  target: OutboundTarget;
  expiresAt: number;
}

export class ServerResolver {
  private readonly deps: ServerResolverDeps;
  private readonly resolveSrv: SrvResolver;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<OutboundTarget>>();
  /** Consecutive transient well-known failures per host name, for the back-off. */
  private readonly failures = new Map<string, number>();

  constructor(deps: ServerResolverDeps) {
    this.deps = deps;
    this.resolveSrv = deps.resolveSrv ?? systemSrvResolver;
  }

  /** Throws an Error when `serverName` is not a valid server name. */
  async resolve(serverName: string): Promise<OutboundTarget> {
    const mapped = this.deps.hostMap.get(serverName);
    if (mapped) {
      // A name target acts like a .well-known delegation: its certificate names it. An IP target
      // only says where to connect: the partner's certificate is for its server name, so that
      // hostname is the SNI and the name checked (the IP itself when the server name is an IP).
      const certName = isIP(mapped.host) === 0 ? mapped.host : hostnameOf(serverName);
      return { ...direct(mapped.host, mapped.port, hostPort(mapped.host, mapped.port), certName), scheme: mapped.scheme, allowPrivate: true };
    }
    const parts = splitServerName(serverName);
    if (parts === undefined) throw new Error(`invalid server name ${JSON.stringify(serverName)}`);
    // Steps 1 and 2: an IP literal, or an explicit port: no delegation.
    if (isIP(parts.host) !== 0) return direct(parts.host, parts.port ?? DEFAULT_PORT, serverName, undefined);
    if (parts.port !== undefined) return direct(parts.host, parts.port, serverName, parts.host);
    const cached = this.cache.get(serverName);
    if (cached && cached.expiresAt > this.deps.clock.now()) return cached.target;
    let pending = this.inflight.get(serverName);
    if (!pending) {
      pending = this.discover(serverName, parts.host).finally(() => this.inflight.delete(serverName));
      this.inflight.set(serverName, pending);
    }
    return pending;
  }

  /** Forgets a cached resolution (e.g. after the target refused connections). */
  forget(serverName: string): void {
    this.cache.delete(serverName);
  }

  private async discover(serverName: string, hostname: string): Promise<OutboundTarget> {
    const wk = await this.deps.fetchWellKnown(hostname);
    let target: OutboundTarget;
    let cacheMs: number;
    if (wk.ok) {
      this.failures.delete(hostname);
      target = await this.delegated(wk.server);
      cacheMs = Math.max(wk.cacheMs ?? DEFAULT_CACHE_MS, MIN_CACHE_MS);
    } else {
      // Steps 4-6: SRV records of the server name itself, else port 8448.
      target = (await this.viaSrv(hostname, hostname)) ?? direct(hostname, DEFAULT_PORT, hostname, hostname);
      cacheMs = wk.transient ? this.backoff(hostname) : ERROR_CACHE_MS;
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value ?? "");
    this.cache.set(serverName, { target, expiresAt: this.deps.clock.now() + cacheMs });
    return target;
  }

  /** Step 3: the delegated server name from .well-known. */
  private async delegated(delegatedName: string): Promise<OutboundTarget> {
    const d = splitServerName(delegatedName);
    if (d === undefined) throw new Error(`invalid delegated server name ${delegatedName}`);
    if (isIP(d.host) !== 0) return direct(d.host, d.port ?? DEFAULT_PORT, delegatedName, undefined);
    if (d.port !== undefined) return direct(d.host, d.port, delegatedName, d.host);
    return (await this.viaSrv(d.host, d.host)) ?? direct(d.host, DEFAULT_PORT, d.host, d.host);
  }

  /** `_matrix-fed._tcp.<host>`, then the deprecated `_matrix._tcp.<host>`; Host and certificate stay `name`. */
  private async viaSrv(host: string, name: string): Promise<OutboundTarget | undefined> {
    for (const service of ["_matrix-fed._tcp", "_matrix._tcp"]) {
      const srv = pickSrv(await this.resolveSrv(`${service}.${host}`).catch(() => []));
      if (srv) return direct(srv.name, srv.port, name, name);
    }
    return undefined;
  }

  private backoff(hostname: string): number {
    const n = (this.failures.get(hostname) ?? 0) + 1;
    this.failures.set(hostname, n);
    return Math.min(TRANSIENT_FIRST_MS * 2 ** (n - 1), ERROR_CACHE_MS);
  }
}
