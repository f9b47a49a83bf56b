import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRegistration } from "./registration.ts";
import { RegistrationError, checkRegistrations, loadRegistrations } from "./load-registrations.ts";

const valid = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "irc", url: "http://127.0.0.1:9000/", as_token: "as-secret-1", hs_token: "hs-secret-1", sender_localpart: "_irc_bot",
  namespaces: { users: [{ exclusive: true, regex: "@_irc_.*" }], aliases: [{ exclusive: false, regex: "#_irc_.*" }], rooms: [] },
  ...over,
});

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RegistrationError, String(e));
    return e.errors;
  }
  return assert.fail("expected a RegistrationError");
}

describe("parseRegistration", () => {
  it("reads the spec's keys and the opt-ins", () => {
    const r = parseRegistration(valid({ receive_ephemeral: true, "org.matrix.msc3202": true, rate_limited: false, protocols: ["irc"] }), "irc.yaml", "example.org");
    assert.ok(r.ok);
    assert.equal(r.value.url, "http://127.0.0.1:9000");
    assert.equal(r.value.senderUserId, "@_irc_bot:example.org");
    assert.equal(r.value.receiveEphemeral, true);
    assert.equal(r.value.msc3202, true);
    assert.equal(r.value.rateLimited, false);
    assert.deepEqual(r.value.protocols, ["irc"]);
    assert.equal(r.value.namespaces.users[0]?.exclusive, true);
  });

  it("accepts url: null and the MSC2409 name of receive_ephemeral; rate_limited defaults to true", () => {
    const r = parseRegistration(valid({ url: null, "de.sorunome.msc2409.push_ephemeral": true }), "f", "example.org");
    assert.ok(r.ok);
    assert.equal(r.value.url, undefined);
    assert.equal(r.value.receiveEphemeral, true);
    assert.equal(r.value.receiveToDevice, true);
    assert.equal(r.value.rateLimited, true);
  });

  it("reports every problem at once, naming file and key, without echoing tokens", () => {
    const r = parseRegistration({
      id: "", url: "ftp://x", as_token: "  padded-secret ", hs_token: 3, sender_localpart: "Bad Name",
      namespaces: { users: [{ regex: "@(" }, { exclusive: "yes", regex: "@ok" }], rooms: "all", other: [] },
      rate_limited: "no", typo_key: 1, "com.example.extension": true,
    }, "bridge.yaml", "example.org");
    assert.ok(!r.ok);
    const keys = r.errors.map((e) => e.split(": ")[1]);
    assert.deepEqual(keys.sort(), [
      "as_token", "hs_token", "id", "namespaces.other", "namespaces.rooms", "namespaces.users[0].exclusive", "namespaces.users[0].regex",
      "namespaces.users[1].exclusive", "rate_limited", "sender_localpart", "typo_key", "url",
    ].sort());
    assert.ok(r.errors.every((e) => e.startsWith("bridge.yaml: ")));
    assert.ok(!r.errors.join("\n").includes("padded-secret"));
  });

  it("requires the url key even though its value may be null, and distinct tokens", () => {
    const raw = valid({ hs_token: "as-secret-1" });
    delete raw["url"];
    const r = parseRegistration(raw, "f", "example.org");
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.split(": ")[1]).sort(), ["hs_token", "url"]);
  });
});

describe("checkRegistrations / loadRegistrations", () => {
  it("refuses two registrations with the same id, as_token or sender", () => {
    const errors = errorsOf(() => checkRegistrations([
      { file: "a.yaml", raw: valid() },
      { file: "b.yaml", raw: valid({ hs_token: "other" }) },
    ], "example.org"));
    assert.equal(errors.length, 3);
    assert.match(errors[0] ?? "", /^b\.yaml: id: .*a\.yaml/);
    assert.match(errors[1] ?? "", /^b\.yaml: as_token: .*a\.yaml/);
    assert.ok(!errors.join().includes("as-secret-1"));
  });

  it("reads YAML files and collects unreadable, unparsable and invalid ones together", () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-as-"));
    try {
      writeFileSync(join(dir, "ok.yaml"), "id: ok\nurl: null\nas_token: a1\nhs_token: h1\nsender_localpart: okbot\nnamespaces: {users: [], aliases: [], rooms: []}\n");
      writeFileSync(join(dir, "broken.yaml"), "id: [unclosed\n");
      writeFileSync(join(dir, "bad.yaml"), "id: bad\nurl: null\nas_token: a2\nhs_token: h2\nsender_localpart: badbot\n");
      const regs = loadRegistrations([join(dir, "ok.yaml")], "example.org");
      assert.equal(regs[0]?.id, "ok");
      const errors = errorsOf(() => loadRegistrations(["ok.yaml", "broken.yaml", "bad.yaml", "missing.yaml"].map((f) => join(dir, f)), "example.org"));
      assert.equal(errors.length, 3, errors.join("\n"));
      assert.match(errors.join("\n"), /broken\.yaml: invalid YAML/);
      assert.match(errors.join("\n"), /missing\.yaml: cannot read the file: ENOENT/);
      assert.match(errors.join("\n"), /bad\.yaml: namespaces: required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
