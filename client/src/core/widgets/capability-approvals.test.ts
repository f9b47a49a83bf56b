import assert from "node:assert/strict";
import { approvalKey, clearWidgetApprovals, LocalStorageApprovalStore } from "./capability-approvals.ts";
import { memoryStorage } from "./prefixed-storage.ts";


const KEY = approvalKey("!r:ville-a.fr", "tasks", "https://widgets.ville-a.fr/tasks/?x=1");

describe("widget consent storage", () => {
  it("remembers a decision per agent: another agent on the same PC is asked again", () => {
    const storage = memoryStorage();
    new LocalStorageApprovalStore(storage, "@anne:ville-a.fr").set(KEY, { approved: ["org.matrix.msc2762.receive.event:m.room.message"], denied: [] });
    assert.deepEqual(new LocalStorageApprovalStore(storage, "@anne:ville-a.fr").get(KEY), { approved: ["org.matrix.msc2762.receive.event:m.room.message"], denied: [] });
    assert.equal(new LocalStorageApprovalStore(storage, "@bruno:ville-a.fr").get(KEY), undefined);
  });

  it("sign-out clears every agent's consents, older unkeyed ones too, and nothing else", () => {
    const storage = memoryStorage([["entente.session", "{}"], [`entente.widget-approvals.${KEY}`, "{}"]]);
    new LocalStorageApprovalStore(storage, "@anne:ville-a.fr").set(KEY, { approved: ["a"], denied: ["b"] });
    new LocalStorageApprovalStore(storage, "@bruno:agglo-b.fr").set(KEY, { approved: ["a"], denied: [] });
    clearWidgetApprovals(storage);
    assert.deepEqual([...storage.m.keys()], ["entente.session"]);
    assert.equal(new LocalStorageApprovalStore(storage, "@anne:ville-a.fr").get(KEY), undefined);
    clearWidgetApprovals(undefined);
  });

  it("a corrupt entry counts as never decided; a refused write is not an error", () => {
    const storage = memoryStorage([[`entente.widget-approvals.@anne:ville-a.fr|${KEY}`, "{"]]);
    const store = new LocalStorageApprovalStore(storage, "@anne:ville-a.fr");
    assert.equal(store.get(KEY), undefined);
    storage.setItem = () => { throw new Error("QuotaExceededError"); };
    store.set(KEY, { approved: [], denied: [] });
  });
});
