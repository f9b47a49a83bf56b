// Authenticating an inbound server-server request: the X-Matrix header, its destination, the
// allow/deny lists, and the origin's signature over {method, uri, origin, destination, content}.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#request-authentication
import type { IncomingHttpHeaders } from "node:http";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { isValidServerName } from "../../../spec/ids.ts";
import { checkFederationPolicy, type FederationPolicy } from "./federation-policy.ts";
import { requestSignatureValid, type RequestToSign } from "./signed-request.ts";
import { parseXMatrix } from "./x-matrix.ts";

export { checkFederationPolicy } from "./federation-policy.ts";

/** What verification needs of the key ring (KeyRing implements it). */
export interface VerifyKeySource {
  /** The public key `keyId` of `serverName`, if known and valid at `minValidTs`. */
  getVerifyKey(serverName: string, keyId: string, minValidTs: number): Promise<Uint8Array | undefined>;
}

/** The parts of the request that are signed (an IncomingMessage fits). */
export interface InboundRequest {
  readonly method?: string | undefined;
  /** Path and query exactly as received: what the origin signed. */
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

export interface VerifyOptions {
  /** Current time: the origin's key must be valid now. */
  now: number;
  /** When given, a denied origin gets 403 before any key is fetched. */
  policy?: FederationPolicy;
}

const unauthorized = (message: string): MatrixError => new MatrixError("M_UNAUTHORIZED", 401, message);

/**
 * Checks the request's X-Matrix signature and returns the authenticated origin. `body` is the
 * parsed JSON body (undefined when none). Throws 401 M_UNAUTHORIZED, or 403 M_FORBIDDEN when the
 * origin is not allowed by `opts.policy`.
 */
export async function verifyFederationRequest(
  req: InboundRequest, body: unknown, ourServerName: string, keyRing: VerifyKeySource, opts: VerifyOptions,
): Promise<{ origin: string; keyId: string }> {
  const header = req.headers.authorization;
  if (header === undefined || header === "") throw unauthorized("Missing X-Matrix Authorization header");
  const parsed = parseXMatrix(header);
  if (!parsed.ok) throw unauthorized(`Malformed X-Matrix Authorization header: ${parsed.error}`);
  const { origin, destination, key, sig } = parsed.value;
  if (!isValidServerName(origin)) throw unauthorized("X-Matrix origin is not a server name");
  if (destination !== undefined && destination !== ourServerName) {
    throw unauthorized(`Request is for ${destination}, not for this server`);
  }
  if (!/^ed25519:[a-zA-Z0-9_]+$/.test(key)) throw unauthorized(`Unsupported key ${key}`);
  if (opts.policy) checkFederationPolicy(origin, opts.policy);
  const publicKey = await keyRing.getVerifyKey(origin, key, opts.now);
  if (publicKey === undefined) throw unauthorized(`No valid key ${key} known for ${origin}`);
  const signedFor = (content: unknown): RequestToSign => ({
    method: req.method ?? "GET", uri: req.url ?? "/", origin, destination: ourServerName, content,
  });
  if (requestSignatureValid(signedFor(body), key, sig, publicKey)) return { origin, keyId: key };
  // The HTTP layer turns an empty PUT/POST body into {}; the origin then signed no content at all.
  if (isEmptyObject(body) && !hasBody(req) && requestSignatureValid(signedFor(undefined), key, sig, publicKey)) {
    return { origin, keyId: key };
  }
  throw unauthorized("Invalid X-Matrix signature");
}

const isEmptyObject = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

const hasBody = (req: InboundRequest): boolean =>
  Number(req.headers["content-length"] ?? "0") > 0 || req.headers["transfer-encoding"] !== undefined;

/** Route helper: `const { origin } = await authenticate(ctx)` in a federation handler. */
export function federationAuthenticator(deps: {
  serverName: string; keyRing: VerifyKeySource; policy: FederationPolicy; clock: { now(): number };
}): (ctx: { readonly req: InboundRequest; readonly body: unknown }) => Promise<{ origin: string; keyId: string }> {
  return (ctx) => verifyFederationRequest(ctx.req, ctx.body, deps.serverName, deps.keyRing, { now: deps.clock.now(), policy: deps.policy });
}
