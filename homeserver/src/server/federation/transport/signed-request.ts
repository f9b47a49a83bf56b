// Signing and checking the JSON that stands for a server-server request.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#request-authentication
import { signJson, verifyJsonSignature, type SigningKey } from "../../../room/signing.ts";
import { formatXMatrix } from "./x-matrix.ts";

export interface RequestToSign {
  method: string;
  /** Path and query exactly as sent, starting with /_matrix/ (no scheme, no host). */
  uri: string;
  /** Server names before any delegation. */
  origin: string;
  destination: string;
  /** The JSON body, when there is one. */
  content?: unknown;
}

function requestJson(r: RequestToSign): Record<string, unknown> {
  const json: Record<string, unknown> = { method: r.method, uri: r.uri, origin: r.origin, destination: r.destination };
  if (r.content !== undefined) json["content"] = r.content;
  return json;
}

/** The `Authorization` header value for the request, signed with our key. */
export function signRequest(r: RequestToSign, key: SigningKey): string {
  const signed = signJson(requestJson(r), r.origin, key);
  const sig = signed.signatures[r.origin]?.[key.keyId] ?? "";
  return formatXMatrix({ origin: r.origin, destination: r.destination, key: key.keyId, sig });
}

/** Whether `sig` is the origin's signature, by `keyId`/`publicKey`, of the request. Never throws. */
export function requestSignatureValid(r: RequestToSign, keyId: string, sig: string, publicKey: Uint8Array): boolean {
  const json = { ...requestJson(r), signatures: { [r.origin]: { [keyId]: sig } } };
  return verifyJsonSignature(json, r.origin, keyId, publicKey);
}
