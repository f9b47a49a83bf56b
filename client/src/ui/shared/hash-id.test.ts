import { strict as assert } from "node:assert";
import { idFromHash } from "./hash-id.ts";

describe("client ui: id of a view's address", () => {
  it("decodes the id after the prefix, and nothing else", () => {
    assert.equal(idFromHash("#/dossier/!a%3Aville-a.fr", "dossier"), "!a:ville-a.fr");
    assert.equal(idFromHash("#/dossier/a/b", "dossier"), "a/b", "the id may hold a slash");
    assert.equal(idFromHash("#/dossier/", "dossier"), undefined, "no id");
    assert.equal(idFromHash("#/dossiers/x", "dossier"), undefined, "another prefix");
    assert.equal(idFromHash("#/dossier/%E0%A4%A", "dossier"), undefined, "a broken escape");
  });
});
