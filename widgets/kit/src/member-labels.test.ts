import assert from "node:assert/strict";
import type { LabelledMember as Member } from "./member-labels.ts";
import { MemberLabels } from "./member-labels.ts";

const of = (...ms: [string, string | undefined][]): Map<string, Member> => new Map(ms.map(([userId, displayName]) => [userId, { userId, displayName }]));
const memberLabel = (members: ReadonlyMap<string, Member>, userId: string): string => new MemberLabels(members.values()).label(userId);

describe("widget member labels", () => {
  it("tells two councils' same-named agents apart by their server, and only then", () => {
    const m = of(["@agent1:ville-a.localhost", "agent1"], ["@agent1:agglo-b.localhost", "agent1"], ["@anne:ville-a.localhost", "Anne"]);
    assert.equal(memberLabel(m, "@agent1:ville-a.localhost"), "agent1 (ville-a.localhost)");
    assert.equal(memberLabel(m, "@agent1:agglo-b.localhost"), "agent1 (agglo-b.localhost)");
    assert.equal(memberLabel(m, "@anne:ville-a.localhost"), "Anne");
  });
  it("uses the whole user id for the same name on the same server, and the id without a name or membership", () => {
    const m = of(["@a1:x.fr", "Marie"], ["@a2:x.fr", "Marie"], ["@b:x.fr", undefined]);
    assert.equal(memberLabel(m, "@a1:x.fr"), "Marie (@a1:x.fr)");
    assert.equal(memberLabel(m, "@b:x.fr"), "@b:x.fr");
    assert.equal(memberLabel(m, "@gone:y.fr"), "@gone:y.fr");
  });
  it("gives every member's label at once", () => {
    const m = of(["@agent1:ville-a.localhost", "agent1"], ["@agent1:agglo-b.localhost", "agent1"], ["@a1:x.fr", "Marie"], ["@a2:x.fr", "Marie"], ["@a3:y.fr", "Marie"], ["@b:x.fr", undefined], ["@anne:ville-a.localhost", "Anne"]);
    const all = new MemberLabels(m.values());
    assert.deepEqual([...m.keys(), "@gone:y.fr"].map((id) => all.label(id)), [
      "agent1 (ville-a.localhost)", "agent1 (agglo-b.localhost)", "Marie (@a1:x.fr)", "Marie (@a2:x.fr)", "Marie (y.fr)", "@b:x.fr", "Anne", "@gone:y.fr",
    ]);
  });
});
