import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { hiddenByIgnore, MAX_IGNORED_USERS, parseIgnoredUsers, validateIgnoredUserList } from "./ignored-users.ts";

const rejects = (content: unknown, errcode: string): void => {
  assert.throws(() => validateIgnoredUserList(content), (e: unknown) => e instanceof MatrixError && e.errcode === errcode && e.status === 400, JSON.stringify(content));
};

describe("ignored users (m.ignored_user_list)", () => {
  it("accepts the spec's shape, including an empty list", () => {
    validateIgnoredUserList({ ignored_users: {} });
    validateIgnoredUserList({ ignored_users: { "@bob:mairie.example": {}, "@eve:other.example": { note: "kept" } } });
  });

  it("refuses other shapes with M_BAD_JSON", () => {
    rejects([], "M_BAD_JSON");
    rejects({}, "M_BAD_JSON");
    rejects({ ignored_users: ["@bob:mairie.example"] }, "M_BAD_JSON");
    rejects({ ignored_users: null }, "M_BAD_JSON");
    rejects({ ignored_users: { "@bob:mairie.example": true } }, "M_BAD_JSON");
    rejects({ ignored_users: { "@bob:mairie.example": [] } }, "M_BAD_JSON");
  });

  it("refuses malformed user IDs and over-long lists with M_INVALID_PARAM", () => {
    rejects({ ignored_users: { bob: {} } }, "M_INVALID_PARAM");
    rejects({ ignored_users: { "@bob": {} } }, "M_INVALID_PARAM");
    const many = Object.fromEntries(Array.from({ length: MAX_IGNORED_USERS + 1 }, (_, i) => [`@u${i}:x.example`, {}]));
    rejects({ ignored_users: many }, "M_INVALID_PARAM");
  });

  it("reads stored content leniently", () => {
    assert.deepEqual([...parseIgnoredUsers({ ignored_users: { "@bob:x": {}, junk: {} } })], ["@bob:x"]);
    assert.deepEqual([...parseIgnoredUsers(undefined)], []);
    assert.deepEqual([...parseIgnoredUsers({ ignored_users: "nope" })], []);
  });

  it("hides non-state events of ignored senders only, never the reader's own", () => {
    const ignored = new Set(["@bob:x", "@alice:x"]);
    assert.equal(hiddenByIgnore({ sender: "@bob:x" }, "@alice:x", ignored), true);
    assert.equal(hiddenByIgnore({ sender: "@bob:x", state_key: "" }, "@alice:x", ignored), false, "state events stay");
    assert.equal(hiddenByIgnore({ sender: "@bob:x", state_key: "@bob:x" }, "@alice:x", ignored), false, "membership stays");
    assert.equal(hiddenByIgnore({ sender: "@carol:x" }, "@alice:x", ignored), false);
    assert.equal(hiddenByIgnore({ sender: "@alice:x" }, "@alice:x", ignored), false, "ignoring oneself hides nothing");
  });
});
