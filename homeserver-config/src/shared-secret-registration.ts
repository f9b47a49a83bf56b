// Client of the shared-secret admin registration (Synapse's /_synapse/admin/v1/register, which our
// homeserver implements): `entente start` creates the admin and demo accounts through the running
// server, so they are made exactly as the server makes any account, without a device of their own.
// mac = hex HMAC-SHA1(secret, nonce \0 username \0 password \0 "admin"|"notadmin")
import { createHmac } from "node:crypto";
import { CliError } from "./cli-kit.ts";

export interface NewAccount {
  username: string;
  password: string;
  admin: boolean;
}

const PATH = "/_synapse/admin/v1/register";

async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await res.json();
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function logout(baseUrl: string, accessToken: string): Promise<void> {
  const res = await fetch(`${baseUrl}/_matrix/client/v3/logout`, { method: "POST", headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" }, body: "{}" });
  if (res.status !== 200) throw new CliError(`${baseUrl}: cannot remove the registration session: ${res.status}`);
}

/** Creates the account (without leaving a session or device); "exists" when the user id is already taken (then nothing changes). */
export async function registerWithSharedSecret(baseUrl: string, secret: string, a: NewAccount): Promise<"created" | "exists"> {
  const nonceRes = await fetch(baseUrl + PATH);
  const nonceBody = await jsonOf(nonceRes);
  const nonce = nonceBody["nonce"];
  if (nonceRes.status !== 200 || typeof nonce !== "string") {
    throw new CliError(`${baseUrl}: shared-secret registration unavailable (${nonceRes.status} ${String(nonceBody["error"] ?? "")})`);
  }
  const mac = createHmac("sha1", secret).update(nonce).update("\0").update(a.username).update("\0")
    .update(a.password).update("\0").update(a.admin ? "admin" : "notadmin").digest("hex");
  const res = await fetch(baseUrl + PATH, {
    method: "POST", headers: { "Content-Type": "application/json" },
    // inhibit_login: the account's owner logs in later; a session now would be a stray,
    // never-verified device in their device list (Element flags it)
    body: JSON.stringify({ nonce, username: a.username, password: a.password, admin: a.admin, mac, inhibit_login: true }),
  });
  const body = await jsonOf(res);
  if (res.status === 200) {
    // a server that ignores inhibit_login (Synapse) made a session anyway: log it out, which deletes its device
    if (typeof body["access_token"] === "string") await logout(baseUrl, body["access_token"]);
    return "created";
  }
  if (body["errcode"] === "M_USER_IN_USE") return "exists";
  throw new CliError(`${baseUrl}: cannot create @${a.username}: ${res.status} ${String(body["errcode"] ?? "")} ${String(body["error"] ?? "")}`);
}
