// Outbound federation must not become a way to reach our own network (SSRF): a remote server name,
// .well-known delegation or SRV record may point at 127.0.0.1, 10.x, the cloud metadata address...
// We resolve names ourselves and hand net.connect the checked address (the `lookup` option), so a
// second, different DNS answer (rebinding) cannot slip in between the check and the connection.
// Only server names in federation.host_map may reach such addresses.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

const blocked = new BlockList();
const V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host
  ["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], // RFC 1918 private
  ["100.64.0.0", 10], // carrier-grade NAT (RFC 6598)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, incl. the cloud metadata address 169.254.169.254
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["198.51.100.0", 24], ["203.0.113.0", 24], // IETF, documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast 255.255.255.255
];
const V6: [string, number][] = [
  ["::", 128], ["::1", 128], // unspecified, loopback
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments (Teredo, ORCHID...)
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];
for (const [net, prefix] of V4) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of V6) blocked.addSubnet(net, prefix, "ipv6");

/** The IPv4 address embedded in IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16). */
function embeddedIpv4(ip: string): string | undefined {
  const groups = expandIpv6(ip);
  if (groups === undefined) return undefined;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4(g6, g7);
  if (g0 === 0x2002) return v4(g1, g2);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed). */
function expandIpv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const zeros = 8 - h.length - t.length;
  if (zeros < 0 || (tail === undefined && zeros !== 0)) return undefined;
  return [...h, ...Array<number>(zeros).fill(0), ...t];
}

/**
 * Whether federation may not connect to `ip` (private, loopback, link-local, CGNAT, multicast,
 * unique-local, documentation... ranges). Anything that is not an IP address is refused too.
 */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, "ipv4");
  if (family !== 6) return true;
  const v4 = embeddedIpv4(ip);
  if (v4 !== undefined && blocked.check(v4, "ipv4")) return true;
  return blocked.check(ip, "ipv6");
}

/** Thrown (as the connection error) when every address of a host is forbidden. */
export class ForbiddenAddressError extends Error {
  readonly code = "ERR_FEDERATION_FORBIDDEN_ADDRESS";
  constructor(host: string, addresses: readonly string[]) {
    super(`refusing to connect to ${host}: ${addresses.join(", ") || "no address"} is not a public address`);
    this.name = "ForbiddenAddressError";
  }
}

/** Resolves a host name to all its addresses (injectable for tests). */
export type AddressResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: AddressResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, order: "verbatim" }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Resolves `hostname` and keeps the allowed addresses; throws ForbiddenAddressError when none is left. */
export async function resolveAllowed(hostname: string, allowPrivate: boolean, resolver: AddressResolver = systemResolver): Promise<LookupAddress[]> {
  const all = isIP(hostname) !== 0 ? [{ address: hostname, family: isIP(hostname) }] : await resolver(hostname);
  const ok = allowPrivate ? all : all.filter((a) => !isForbiddenAddress(a.address));
  if (ok.length === 0) throw new ForbiddenAddressError(hostname, all.map((a) => a.address));
  return ok;
}

/**
 * A `lookup` for http(s).request / net.connect that only ever yields allowed addresses. Node calls
 * it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily), else for one address.
 */
export function guardedLookup(allowPrivate: boolean, resolver: AddressResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, allowPrivate, resolver).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`no IPv${String(options.family)} address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
        } else if (options.all === true) {
          callback(null, wanted);
        } else {
          const first = wanted[0] as LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), "", 0),
    );
  };
}
