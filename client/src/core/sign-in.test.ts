import { strict as assert } from "node:assert";
import { loadSession, passwordSignIn, resolveHomeserver, saveSession, SignInError, type Fetch } from "./sign-in.ts";
import { parseClientConfig } from "./client-config.ts";
import { decryptAttachment, encryptAttachment, formatSize, mediaDownloadUrl } from "./attachment-crypto.ts";
import { markdownToHtml } from "./message-content.ts";

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const councils = parseClientConfig({ councils: [{ id: "a", label: "Ville A", server_name: "ville-a.fr", homeserver_url: "http://127.0.0.1:1/" }] }).councils;

describe("client sign-in, config and attachments", () => {
  it("resolves a bare username to the chosen council, a known id to its council, others by .well-known", async () => {
    const calls: string[] = [];
    const fetchFn: Fetch = async (url) => {
      calls.push(url);
      if (url === "https://autre.fr/.well-known/matrix/client") return json(200, { "m.homeserver": { base_url: "https://matrix.autre.fr/" } });
      if (url === "https://matrix.autre.fr/_matrix/client/versions") return json(200, { versions: ["v1.11"] });
      return json(404, {});
    };
    assert.deepEqual(await resolveHomeserver("agent1", councils[0], councils, fetchFn), { baseUrl: "http://127.0.0.1:1", user: "agent1" });
    assert.deepEqual(await resolveHomeserver("@agent1:ville-a.fr", undefined, councils, fetchFn), { baseUrl: "http://127.0.0.1:1", user: "@agent1:ville-a.fr" });
    assert.deepEqual(await resolveHomeserver("@x:autre.fr", undefined, councils, fetchFn), { baseUrl: "https://matrix.autre.fr", user: "@x:autre.fr" });
    await assert.rejects(resolveHomeserver("@x:nulle-part.fr", undefined, councils, fetchFn), (e: unknown) => e instanceof SignInError && e.reason === "unknownServer");
  });
  it("maps login answers to plain reasons and keeps a valid session only", async () => {
    const answer = (status: number, body: unknown): Fetch => async () => json(status, body);
    await assert.rejects(passwordSignIn("http://h", "a", "p", answer(403, { errcode: "M_FORBIDDEN" })), (e: unknown) => e instanceof SignInError && e.reason === "badCredentials");
    await assert.rejects(passwordSignIn("http://h", "a", "p", answer(429, { errcode: "M_LIMIT_EXCEEDED" })), (e: unknown) => e instanceof SignInError && e.reason === "tooManyAttempts");
    await assert.rejects(passwordSignIn("http://h", "a", "p", async () => { throw new TypeError("fetch failed"); }), (e: unknown) => e instanceof SignInError && e.reason === "serverUnreachable");
    const s = await passwordSignIn("http://h", "a", "p", answer(200, { user_id: "@a:h", access_token: "t", device_id: "D" }));
    const m = new Map<string, string>();
    const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    saveSession(store, s);
    assert.deepEqual(loadSession(store), s);
    store.setItem("entente.session", "{broken");
    assert.equal(loadSession(store), undefined);
    assert.throws(() => parseClientConfig({ councils: [{ server_name: "x" }] }), /homeserver_url/);
  });
  it("encrypts attachments so only the key holder reads them, and refuses a tampered file", async () => {
    const plain = new TextEncoder().encode("compte rendu du conseil").buffer;
    const { data, info } = await encryptAttachment(plain);
    assert.notDeepEqual(new Uint8Array(data), new Uint8Array(plain));
    assert.equal(new TextDecoder().decode(await decryptAttachment(data, { ...info, url: "mxc://x/y" })), "compte rendu du conseil");
    const tampered = new Uint8Array(data.slice(0));
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    await assert.rejects(decryptAttachment(tampered.buffer, { ...info }), /hash/);
    assert.equal(mediaDownloadUrl("http://h", "mxc://ville-a.fr/abc"), "http://h/_matrix/client/v1/media/download/ville-a.fr/abc");
    assert.equal(formatSize(1536, "fr"), "1,5 ko");
    assert.equal(formatSize(3 * 1024 * 1024, "fr"), "3 Mo");
    assert.equal(formatSize(1536, "en"), "1.5 KB");
  });
  it("sends formatted_body only when Markdown adds formatting", () => {
    assert.equal(markdownToHtml("bonjour"), undefined);
    assert.equal(markdownToHtml("a & b"), undefined);
    assert.match(markdownToHtml("**gras**") ?? "", /<strong>gras<\/strong>/);
  });
});
