import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { keepStoredRoomKey, parseRoomKeyData, type RoomKeyData } from "./key-backup.ts";

const key = (isVerified: boolean, firstMessageIndex: number, forwardedCount: number): RoomKeyData => ({ isVerified, firstMessageIndex, forwardedCount, sessionData: {} });

describe("key backup replacement rule", () => {
  it("prefers a verified key whatever its index", () => {
    assert.equal(keepStoredRoomKey(key(true, 10, 5), key(false, 0, 0)), true);
    assert.equal(keepStoredRoomKey(key(false, 0, 0), key(true, 10, 5)), false);
  });

  it("then the lower first_message_index", () => {
    assert.equal(keepStoredRoomKey(key(false, 1, 0), key(false, 2, 0)), true);
    assert.equal(keepStoredRoomKey(key(false, 2, 0), key(false, 1, 9)), false);
  });

  it("then the lower forwarded_count, keeping the stored key on a tie", () => {
    assert.equal(keepStoredRoomKey(key(true, 3, 1), key(true, 3, 2)), true);
    assert.equal(keepStoredRoomKey(key(true, 3, 2), key(true, 3, 1)), false);
    assert.equal(keepStoredRoomKey(key(true, 3, 2), key(true, 3, 2)), true);
  });

  it("parses KeyBackupData strictly", () => {
    assert.deepEqual(parseRoomKeyData({ first_message_index: 0, forwarded_count: 1, is_verified: false, session_data: { ciphertext: "x" } }, "k"),
      { firstMessageIndex: 0, forwardedCount: 1, isVerified: false, sessionData: { ciphertext: "x" } });
    for (const bad of [null, [], { first_message_index: -1, forwarded_count: 0, is_verified: false, session_data: {} },
      { first_message_index: 0, forwarded_count: 0, is_verified: "no", session_data: {} },
      { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: "x" },
      { forwarded_count: 0, is_verified: false, session_data: {} }]) {
      assert.throws(() => parseRoomKeyData(bad, "k"), (e: unknown) => e instanceof MatrixError && e.errcode === "M_BAD_JSON");
    }
  });
});
