import assert from "node:assert/strict";
import { editDistance } from "./apply-schema.ts";
import {
  camelCase, httpBaseUrl, integer, isServerName, listenHost, oneOf, path, postgresUrl,
} from "./schema-combinators.ts";
import type { ValueType } from "./schema-combinators.ts";

const ctx = { baseDir: "/etc/entente" };
const value = <T>(type: ValueType<T>, raw: unknown): T | undefined => {
  const r = type.check(raw, ctx);
  return r.ok ? r.value : undefined;
};

describe("isServerName (https://spec.matrix.org/v1.16/appendices/#server-name)", () => {
  it("accepts the spec's examples", () => {
    for (const name of ["matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234", "[1234:5678::abcd]",
      "[1234:5678::abcd]:5678", "localhost", "ville-a.example.fr"]) {
      assert.ok(isServerName(name), name);
    }
  });

  it("rejects what the grammar excludes", () => {
    for (const name of ["", "matrix.org:", ":8448", "matrix.org:hello", "exa_mple.org", "bad name", "[::1",
      "[test::1]", "matrix.org:123456", "matrix.org:70000", "matrix.org:0", "a".repeat(256)]) {
      assert.ok(!isServerName(name), name);
    }
  });
});

describe("value types", () => {
  it("integer bounds and their wording", () => {
    assert.equal(value(integer(1, 65535), 8008), 8008);
    assert.equal(value(integer(1, 65535), 0), undefined);
    assert.equal(value(integer(1, 65535), 80.5), undefined);
    assert.equal(value(integer(0), "1"), undefined);
    assert.equal(value(integer(0), 2 ** 53), undefined);
    assert.equal(integer(0).expected, "a non-negative integer (0 or more)");
    assert.equal(integer(65536).expected, "an integer >= 65536");
  });

  it("oneOf compares numbers as text", () => {
    assert.equal(value(oneOf(["11", "12"]), 12), "12");
    assert.equal(value(oneOf(["11", "12"]), "13"), undefined);
  });

  it("paths resolve against the config directory", () => {
    assert.equal(value(path, "data/x"), "/etc/entente/data/x");
    assert.equal(value(path, "/var/x"), "/var/x");
    assert.equal(value(path, ""), undefined);
  });

  it("http base URLs drop trailing slashes and refuse other schemes, queries and fragments", () => {
    assert.equal(value(httpBaseUrl, "https://m.example.fr/"), "https://m.example.fr");
    assert.equal(value(httpBaseUrl, "https://m.example.fr/matrix//"), "https://m.example.fr/matrix");
    for (const bad of ["ftp://m.example.fr", "https://m.example.fr/?a=1", "https://m.example.fr/#x", "m.example.fr", "http://"]) {
      assert.equal(value(httpBaseUrl, bad), undefined, bad);
    }
  });

  it("postgres URLs, including Unix sockets", () => {
    assert.ok(value(postgresUrl, "postgresql:///entente?host=/run/postgresql"));
    assert.ok(value(postgresUrl, "postgres://u:p@db:5432/entente"));
    assert.equal(value(postgresUrl, "mysql://db/entente"), undefined);
  });

  it("listen hosts are IP addresses or host names", () => {
    for (const ok of ["0.0.0.0", "::", "::1", "localhost", "hs.internal"]) assert.equal(value(listenHost, ok), ok);
    for (const bad of ["[::1]", "a b", "-x", ""]) assert.equal(value(listenHost, bad), undefined, bad);
  });
});

describe("helpers", () => {
  it("camelCase maps YAML keys to properties", () => {
    assert.equal(camelCase("max_json_body_bytes"), "maxJsonBodyBytes");
    assert.equal(camelCase("name"), "name");
  });

  it("editDistance counts a swap of neighbours as one edit", () => {
    assert.equal(editDistance("prot", "port"), 1);
    assert.equal(editDistance("databse", "database"), 1);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("kitten", "sitting"), 3);
  });
});
