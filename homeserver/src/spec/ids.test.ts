import assert from "node:assert/strict";
import {
  isHashEventId,
  isHashRoomId,
  isValidLocalpart,
  isValidServerName,
  parseEventId,
  parseRoomAlias,
  parseRoomId,
  parseUserId,
  serverNameOf,
} from "./ids.ts";

describe("isValidServerName", () => {
  it("accepts the spec's examples", () => {
    for (const s of ["matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234", "[1234:5678::abcd]", "[1234:5678::abcd]:5678"]) {
      assert.ok(isValidServerName(s), s);
    }
  });

  it("accepts other grammar-valid names", () => {
    for (const s of ["localhost", "a", "MATRIX.ORG", "my-server.fr:1", "[::1]", "[::ffff:1.2.3.4]:8448"]) {
      assert.ok(isValidServerName(s), s);
    }
  });

  it("rejects malformed names", () => {
    const bad = [
      "", ":8448", "matrix.org:", "matrix.org:123456", "matrix.org:80a", "under_score.org", "ex ample.org",
      "exämple.org", "::1", "[::1", "[::1]8448", "[::1]:", "[zz::1]", "[1.2.3.4]", "[]", "256.1.1.1:80x",
      "a".repeat(256),
    ];
    for (const s of bad) assert.equal(isValidServerName(s), false, s);
  });

  it("range-checks IPv4 literals only when the name is a dotted quad", () => {
    assert.equal(isValidServerName("256.1.1.1"), false);
    assert.equal(isValidServerName("1.2.3.999:80"), false);
    assert.equal(isValidServerName("255.255.255.255:65535"), true);
  });
});

describe("user ids", () => {
  it("parses a user id", () => {
    assert.deepEqual(parseUserId("@alice:example.org:8448"), { localpart: "alice", serverName: "example.org:8448" });
    assert.deepEqual(parseUserId("@a:[::1]:80"), { localpart: "a", serverName: "[::1]:80" });
  });

  it("tolerates historical localparts (remote users)", () => {
    assert.deepEqual(parseUserId("@Alice Ü!:example.org"), { localpart: "Alice Ü!", serverName: "example.org" });
    assert.deepEqual(parseUserId("@:example.org"), { localpart: "", serverName: "example.org" });
  });

  it("rejects bad sigils, servers, NUL, lone surrogates and > 255 bytes", () => {
    for (const s of ["alice:example.org", "#alice:example.org", "@alice", "@alice:", "@alice:bad_host", "@a\u0000b:x.org", "@a\ud800:x.org"]) {
      assert.equal(parseUserId(s), undefined, JSON.stringify(s));
    }
    const server = ":example.org";
    const exact = "@" + "a".repeat(255 - 1 - server.length) + server;
    assert.equal(Buffer.byteLength(exact), 255);
    assert.ok(parseUserId(exact));
    assert.equal(parseUserId("@a" + exact.slice(1)), undefined);
    // 255 UTF-16 units but more than 255 bytes.
    assert.equal(parseUserId("@" + "é".repeat(200) + server), undefined);
  });

  it("isValidLocalpart allows only the new-registration character set", () => {
    for (const s of ["alice", "a.b_c=d-e/f+g", "0"]) assert.ok(isValidLocalpart(s), s);
    for (const s of ["", "Alice", "al ice", "al:ice", "é", "a*"]) assert.equal(isValidLocalpart(s), false, s);
  });
});

describe("room aliases", () => {
  it("parses and rejects", () => {
    assert.deepEqual(parseRoomAlias("#mairie:ville.fr"), { localpart: "mairie", serverName: "ville.fr" });
    assert.deepEqual(parseRoomAlias("#Conseil Municipal:ville.fr"), { localpart: "Conseil Municipal", serverName: "ville.fr" });
    assert.equal(parseRoomAlias("@mairie:ville.fr"), undefined);
    assert.equal(parseRoomAlias("#mairie"), undefined);
    assert.equal(parseRoomAlias("#" + "x".repeat(250) + ":ville.fr"), undefined);
  });
});

describe("room ids and event ids", () => {
  const hash = "Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ";

  it("parses domain and domain-less room ids", () => {
    assert.deepEqual(parseRoomId("!abc:matrix.org"), { opaqueId: "abc", serverName: "matrix.org" });
    assert.deepEqual(parseRoomId("!" + hash), { opaqueId: hash });
    for (const s of ["!", "abc:matrix.org", "!abc:bad host", "$abc:matrix.org", "!a\u0000b"]) {
      assert.equal(parseRoomId(s), undefined, JSON.stringify(s));
    }
  });

  it("parses v4+ and v1-3 style event ids", () => {
    assert.deepEqual(parseEventId("$" + hash), { opaqueId: hash });
    assert.deepEqual(parseEventId("$0:domain"), { opaqueId: "0", serverName: "domain" });
    assert.equal(parseEventId("$"), undefined);
    assert.equal(parseEventId("$" + "a".repeat(255)), undefined);
  });

  it("recognises hash-format ids", () => {
    assert.ok(isHashEventId("$" + hash));
    assert.ok(isHashRoomId("!" + hash));
    assert.equal(isHashEventId("!" + hash), false);
    assert.equal(isHashEventId("$" + hash.slice(1)), false);
    assert.equal(isHashEventId("$" + hash + "A"), false);
    assert.equal(isHashEventId("$" + hash.replace("-", "+")), false);
    assert.equal(isHashEventId("$0:domain"), false);
  });
});

describe("serverNameOf", () => {
  it("returns the domain when there is one", () => {
    assert.equal(serverNameOf("@a:b.org"), "b.org");
    assert.equal(serverNameOf("#a:b.org:80"), "b.org:80");
    assert.equal(serverNameOf("!r:b.org"), "b.org");
    assert.equal(serverNameOf("$e:b.org"), "b.org");
    assert.equal(serverNameOf("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ"), undefined);
    assert.equal(serverNameOf("a:b.org"), undefined);
    assert.equal(serverNameOf(""), undefined);
    assert.equal(serverNameOf("@a:bad_host"), undefined);
  });
});
