// What went wrong, in the few cases an agent can act on: offline (their network), the server not
// answering, too large, storage quota, refused by the room's rules. Reads matrix-js-sdk's
// MatrixError / ConnectionError by shape (name, errcode, httpStatus), so it stays SDK-free.
import { isRecord } from "./raw-event.ts";

export type ErrorKind = "offline" | "unreachable" | "too-large" | "quota" | "forbidden" | "other";

/** `online`: navigator.onLine (false when the device has no network at all). */
export function errorKind(e: unknown, online: boolean): ErrorKind {
  if (!isRecord(e) && !(e instanceof Error)) return "other";
  const r = e as unknown as Record<string, unknown>;
  const status = typeof r["httpStatus"] === "number" ? r["httpStatus"] : undefined;
  const code = typeof r["errcode"] === "string" ? r["errcode"] : undefined;
  const message = e instanceof Error ? e.message : typeof r["message"] === "string" ? r["message"] : "";
  if (status === undefined) {
    // No answer from the server: a ConnectionError (SDK), a TypeError from fetch, or the SDK's
    // XMLHttpRequest upload ending with status 0 (an AbortError: cancels are told apart before this).
    if (r["name"] === "ConnectionError" || r["name"] === "AbortError" || e instanceof TypeError || /fetch|network/i.test(message)) return online ? "unreachable" : "offline";
    return "other";
  }
  if (code === "M_TOO_LARGE" || status === 413) return "too-large";
  // The spec has no quota code: Synapse and ours answer 403 (or M_RESOURCE_LIMIT_EXCEEDED) with "quota" in the text.
  if (code === "M_RESOURCE_LIMIT_EXCEEDED" || (status === 403 && /quota/i.test(message))) return "quota";
  if (status === 403) return "forbidden";
  if (status === 502 || status === 503 || status === 504) return "unreachable";
  return "other";
}

/** The largest upload the server accepts (GET /_matrix/client/v1/media/config, m.upload.size), if it says. */
export function maxUploadSize(config: unknown): number | undefined {
  const v = isRecord(config) ? config["m.upload.size"] : undefined;
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}
