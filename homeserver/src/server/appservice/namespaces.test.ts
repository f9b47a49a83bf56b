import assert from "node:assert/strict";
import { claimsAlias, claimsAliasExclusively, claimsRoom, claimsUser, claimsUserExclusively, compileNamespace, type Namespace, type NamespaceOwner } from "./namespaces.ts";

const ns = (regex: string, exclusive: boolean): Namespace => {
  const n = compileNamespace(regex, exclusive);
  assert.ok(typeof n !== "string", String(n));
  return n;
};

const owner: NamespaceOwner = {
  senderUserId: "@bot:example.org",
  namespaces: {
    users: [ns("@_irc_.*:example\\.org", true), ns("@shared_", false)],
    aliases: [ns("#_irc_.*", true)],
    rooms: [ns("!bridged", false)],
  },
};

describe("namespaces", () => {
  it("matches from the start of the id, like Synapse", () => {
    assert.ok(claimsUser(owner, "@_irc_alice:example.org", "example.org"));
    assert.ok(claimsUser(owner, "@shared_bob:example.org", "example.org"));
    assert.ok(!claimsUser(owner, "@x_irc_alice:example.org", "example.org"));
    assert.ok(claimsRoom(owner, "!bridged123:example.org"));
    assert.ok(!claimsRoom(owner, "!other:example.org"));
  });

  it("claims its sender, and only local users of its namespace", () => {
    assert.ok(claimsUser(owner, "@bot:example.org", "example.org"));
    assert.ok(claimsUserExclusively(owner, "@bot:example.org", "example.org"));
    assert.ok(!claimsUser(owner, "@shared_bob:elsewhere.org", "example.org"));
  });

  it("tells exclusive from shared namespaces", () => {
    assert.ok(claimsUserExclusively(owner, "@_irc_alice:example.org", "example.org"));
    assert.ok(!claimsUserExclusively(owner, "@shared_bob:example.org", "example.org"));
    assert.ok(claimsAlias(owner, "#_irc_chan:example.org"));
    assert.ok(claimsAliasExclusively(owner, "#_irc_chan:example.org"));
    assert.ok(!claimsAlias(owner, "#chan:example.org"));
  });

  it("reports an invalid regex", () => {
    assert.equal(typeof compileNamespace("@(", true), "string");
  });
});
