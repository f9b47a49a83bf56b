// Checks around starting councils: ports free before spawning (a clear message instead of a
// server dying on EADDRINUSE), then the client API answering, then the federation listener.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";

/** Undefined when `host:port` can be listened on, else the error code (EADDRINUSE, EACCES...). */
export function portProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls GET /_matrix/client/versions until it answers 200, or throws after `timeoutMs`. */
export async function waitClientApi(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (e: unknown) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(100);
  }
  throw new Error(`${url}/_matrix/client/versions did not answer 200 within ${timeoutMs / 1000} s (${last})`);
}

/** One GET of /_matrix/federation/v1/version, trusting the federation CA. */
function federationVersion(config: HomeserverConfig, timeoutMs: number): Promise<boolean> {
  const fed = config.federation;
  const ca = fed.extraCaPath === undefined ? undefined : readFileSync(fed.extraCaPath);
  const host = fed.listener.host === "0.0.0.0" || fed.listener.host === "::" ? "127.0.0.1" : fed.listener.host;
  if (fed.tls === undefined) {
    return fetch(`http://${host}:${fed.listener.port}/_matrix/federation/v1/version`, { signal: AbortSignal.timeout(timeoutMs) })
      .then((r) => r.status === 200, () => false);
  }
  return new Promise((resolve) => {
    const req = request({
      host, port: fed.listener.port, path: "/_matrix/federation/v1/version", method: "GET", timeout: timeoutMs,
      ...(ca !== undefined && { ca }), rejectUnauthorized: fed.tlsVerify,
    }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("error", () => resolve(false));
    req.once("timeout", () => req.destroy());
    req.end();
  });
}

export type FederationState = "up" | "not answering" | "disabled";

/** Whether the federation listener answers, retried for up to `timeoutMs`. */
export async function probeFederation(config: HomeserverConfig, timeoutMs = 3000): Promise<FederationState> {
  if (!config.federation.enabled) return "disabled";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await federationVersion(config, 1000)) return "up";
    await sleep(200);
  }
  return "not answering";
}
