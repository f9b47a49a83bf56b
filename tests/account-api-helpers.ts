// Shared by the account API black-box tests: a real homeserver in a temp folder and a tiny
// fetch() wrapper that returns status and parsed JSON.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../homeserver/src/server/compose.ts";
import { testConfig, type ConfigOverrides } from "./harness/test-config.ts";

export const C = "/_matrix/client/v3";
export const PASSWORD = "correct horse battery staple";

export interface Reply {
  status: number;
  body: any;
}

export interface Api {
  url: string;
  hs: RunningHomeserver;
  call(method: string, path: string, opts?: { body?: unknown; raw?: string; token?: string }): Promise<Reply>;
  stop(): Promise<void>;
}

export async function startApi(overrides: ConfigOverrides = {}): Promise<Api> {
  const dir = mkdtempSync(join(tmpdir(), "entente-account-"));
  const hs = await startHomeserver(testConfig(dir, overrides));
  return {
    url: hs.url, hs,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers["Authorization"] = `Bearer ${opts.token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers["Content-Type"] = "application/json";
      }
      const res = await fetch(hs.url + path, { method, headers, ...(body !== undefined && { body }) });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    },
    async stop() {
      await hs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts a Matrix error reply. */
export function expectError(r: Reply, status: number, errcode: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body?.errcode, errcode, JSON.stringify(r.body));
  assert.equal(typeof r.body?.error, "string");
}

export interface Session {
  userId: string;
  token: string;
  deviceId: string;
}

/** Registers through the open flow, completing m.login.dummy in the first request. */
export async function register(api: Api, username: string, extra: Record<string, unknown> = {}): Promise<Session> {
  const r = await api.call("POST", `${C}/register`, { body: { username, password: PASSWORD, auth: { type: "m.login.dummy" }, ...extra } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { userId: r.body.user_id, token: r.body.access_token, deviceId: r.body.device_id };
}

export const passwordAuth = (user: string, password: string, session?: string): Record<string, unknown> =>
  ({ type: "m.login.password", identifier: { type: "m.id.user", user }, password, ...(session !== undefined && { session }) });

/** Synapse's shared-secret MAC, computed independently of the server code. */
export function adminMac(secret: string, nonce: string, username: string, password: string, admin: boolean): string {
  return createHmac("sha1", secret).update(`${nonce}\0${username}\0${password}\0${admin ? "admin" : "notadmin"}`).digest("hex");
}
