import assert from "node:assert/strict";
import { assigneeOptions } from "./assignee-options.ts";

const members = [
  { userId: "@zoe:ville-a.fr", displayName: "Zoé" },
  { userId: "@entente-tasks:ville-a.fr", displayName: "Tâches" },
  { userId: "@anne:agglo-b.fr", displayName: "Anne" },
  { userId: "@entente-calendar:agglo-b.fr", displayName: undefined },
  { userId: "@emile:ville-a.fr", displayName: "Émile" },
];
const ids = (o: { userId: string }[]): string[] => o.map((x) => x.userId);

describe("assignee options", () => {
  it("offers the room's people by name, in French order, and never a bot", () => {
    assert.deepEqual(ids(assigneeOptions({ members, chosen: [], query: "", allowOthers: true, self: "@zoe:ville-a.fr" })), ["@anne:agglo-b.fr", "@emile:ville-a.fr", "@zoe:ville-a.fr"]);
    assert.deepEqual(ids(assigneeOptions({ members, chosen: [], query: "entente", allowOthers: true, self: "@zoe:ville-a.fr" })), []);
  });
  it("filters by name or id, leaves out the chosen, offers only oneself without the assign level", () => {
    assert.deepEqual(ids(assigneeOptions({ members, chosen: ["@anne:agglo-b.fr"], query: "", allowOthers: true, self: "@zoe:ville-a.fr" })), ["@emile:ville-a.fr", "@zoe:ville-a.fr"]);
    assert.deepEqual(ids(assigneeOptions({ members, chosen: [], query: "agglo", allowOthers: true, self: "@zoe:ville-a.fr" })), ["@anne:agglo-b.fr"]);
    assert.deepEqual(ids(assigneeOptions({ members, chosen: [], query: "", allowOthers: false, self: "@zoe:ville-a.fr" })), ["@zoe:ville-a.fr"]);
  });
  it("offers a full Matrix id typed in (someone not in the room yet), once", () => {
    assert.deepEqual(assigneeOptions({ members, chosen: [], query: " @paul:ville-c.fr ", allowOthers: true, self: "@zoe:ville-a.fr" }), [{ userId: "@paul:ville-c.fr", name: undefined }]);
    assert.deepEqual(ids(assigneeOptions({ members, chosen: [], query: "@zoe:ville-a.fr", allowOthers: true, self: "@zoe:ville-a.fr" })), ["@zoe:ville-a.fr"]);
    assert.deepEqual(assigneeOptions({ members: [], chosen: [], query: "@entente-tasks:ville-a.fr", allowOthers: true, self: "@zoe:ville-a.fr" }), [], "not a bot's id typed in");
  });
});
