// One-time reply links: the citizen's encrypted upload is accepted once, refused (in French) when
// used, expired or unknown; plaintext is refused; only the owner lists, reads and closes it; the
// service's storage holds ciphertext only.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../../../tests/harness/homeserver.ts";
import { startShareService, type RunningShareService } from "./share-server.ts";
import { encryptForShare } from "./share-client.ts";
import { DROP_FRENCH } from "./drop-routes.ts";
import { openName, sealName } from "./page/sealed-name.js";

const MARKER = "JUSTIFICATIF-DOMICILE-5521";

async function bytes(s: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe("citizen reply links (lien de dépôt)", function () {
  this.timeout(120_000);
  let hs: TestHomeserver;
  let svc: RunningShareService;
  let dir: string;
  let clock = Date.now();
  let token: string;
  const api = (method: string, path: string, t = token) => fetch(`${svc.url}${path}`, { method, headers: { Authorization: `Bearer ${t}` } });

  before(async () => {
    hs = await startTestHomeserver();
    dir = mkdtempSync(join(tmpdir(), "entente-drop-"));
    svc = await startShareService({ dataDir: join(dir, "svc"), homeserverUrl: hs.url, now: () => clock });
    token = (await registerUser(hs.url, "agent")).accessToken;
  });
  after(async () => {
    await svc.close();
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts one encrypted upload; the owner reads and decrypts it, then closes it; a second upload is refused in French", async () => {
    const created = (await (await api("POST", "/api/drops?expires_in_hours=24&tag=t1")).json()) as { id: string; url: string; state: string };
    assert.match(created.url, new RegExp(`^${svc.url}/d/[A-Za-z0-9_-]{22}$`));
    assert.equal(created.state, "waiting");
    const secret = randomBytes(18).toString("base64url");
    const plain = Buffer.concat([Buffer.from(MARKER), randomBytes(100_000)]);
    assert.equal((await fetch(`${created.url}/meta`)).status, 200);
    // Plaintext is refused and the drop still waits.
    const sealed = await sealName("justificatif.pdf", secret);
    assert.equal((await fetch(`${created.url}/data?sealed_name=${sealed}`, { method: "POST", body: new Uint8Array(plain) })).status, 400);
    const cipher = await bytes(await encryptForShare(new Blob([plain]).stream(), secret, "justificatif.pdf"));
    // The name in clear, or no sealed name, is refused before anything is kept.
    for (const q of ["name=justificatif.pdf", `name=justificatif.pdf&sealed_name=${sealed}`, "", "sealed_name=court"]) {
      const r = await fetch(`${created.url}/data?${q}`, { method: "POST", body: cipher });
      assert.equal(r.status, 400, q);
      assert.equal(((await r.json()) as { errcode: string }).errcode, "M_INVALID_PARAM", q);
    }
    assert.equal((await fetch(`${created.url}/data?sealed_name=${sealed}`, { method: "POST", body: cipher })).status, 201);
    const again = await fetch(`${created.url}/data?sealed_name=${sealed}`, { method: "POST", body: cipher });
    assert.equal(again.status, 410);
    assert.equal(((await again.json()) as { message: string }).message, DROP_FRENCH.used);

    // The owner gets the sealed name and opens it with the link's secret; the service never had it.
    const listed = (await (await api("GET", "/api/drops?tag=t1")).json()) as { drops: { id: string; state: string; name?: string; sealed_name: string }[] };
    assert.deepEqual(listed.drops.map((d) => [d.id, d.state, d.name]), [[created.id, "received", undefined]]);
    assert.equal(await openName(listed.drops[0]?.sealed_name, secret), "justificatif.pdf");
    const other = (await registerUser(hs.url, "autre")).accessToken;
    assert.equal((await api("GET", `/api/drops/${created.id}/data`, other)).status, 404);
    assert.equal(((await (await api("GET", "/api/drops", other)).json()) as { drops: unknown[] }).drops.length, 0);

    const stored = readdirSync(join(dir, "svc", "drops", created.id)).map((f) => readFileSync(join(dir, "svc", "drops", created.id, f)));
    for (const b of stored) {
      assert.equal(b.indexOf(Buffer.from(MARKER)), -1, "ciphertext only");
      assert.equal(b.indexOf(Buffer.from("justificatif")), -1, "no file name in clear");
    }

    const data = await api("GET", `/api/drops/${created.id}/data`);
    const message = await openpgp.readMessage({ binaryMessage: new Uint8Array(await data.arrayBuffer()) });
    const { data: out } = await openpgp.decrypt({ message, passwords: [secret], format: "binary" });
    assert.ok(Buffer.from(out as Uint8Array).equals(plain));
    assert.equal((await api("DELETE", `/api/drops/${created.id}`)).status, 200);
    assert.equal((await api("GET", `/api/drops/${created.id}/data`)).status, 404);
  });

  it("an expired or unknown link is refused in French", async () => {
    const created = (await (await api("POST", "/api/drops?expires_in_hours=1")).json()) as { url: string };
    clock += 2 * 3_600_000;
    const meta = await fetch(`${created.url}/meta`);
    assert.equal(meta.status, 410);
    assert.equal(((await meta.json()) as { message: string }).message, DROP_FRENCH.expired);
    const unknown = await fetch(`${svc.url}/d/AAAAAAAAAAAAAAAAAAAAAA/meta`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { message: string }).message, DROP_FRENCH.unknown);
    assert.equal((await api("POST", "/api/drops?expires_in_hours=0")).status, 400);
    assert.equal((await fetch(`${svc.url}/api/drops`, { method: "POST" })).status, 401);
  });
});
