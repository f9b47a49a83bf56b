import { strict as assert } from "node:assert";
import { EARLY_PREVIEW_KEY, takeEarlyPreview, type EarlyPreviewHolder } from "./early-preview-slot.ts";

const s = { baseUrl: "http://hs", userId: "@a:x", accessToken: "t1", deviceId: "D" };

describe("client early room-list preview", () => {
  it("hands the early /sync over once, and only for the same session", async () => {
    const holder: EarlyPreviewHolder = { [EARLY_PREVIEW_KEY]: { session: s, rooms: Promise.resolve([]) } };
    assert.deepEqual(await takeEarlyPreview(holder, s), []);
    assert.equal(takeEarlyPreview(holder, s), undefined, "taken once");
    const other: EarlyPreviewHolder = { [EARLY_PREVIEW_KEY]: { session: { ...s, accessToken: "old" }, rooms: Promise.resolve([]) } };
    assert.equal(takeEarlyPreview(other, s), undefined, "a session replaced since: fetched again");
  });
});
