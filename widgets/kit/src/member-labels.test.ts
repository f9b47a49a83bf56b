import assert from "node:assert/strict";
import type { LabelledMember as Member } from "./member-labels.ts";
import { MemberEventOrder, MemberLabels } from "./member-labels.ts";

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

  it("orders a member's events by time, a time in our future counting as when we took it (a council's clock ahead cannot pin its event)", () => {
    let now = 1_000_000;
    const order = new MemberEventOrder(() => now);
    assert.equal(order.take("@bob:b", { origin_server_ts: 900_000 }), true, "the join");
    assert.equal(order.take("@bob:b", { origin_server_ts: 800_000 }), false, "the older invite, fed after it");
    // ville-a's clock is 5 minutes ahead: its kick says 1,300,000 at our 1,000,000
    assert.equal(order.take("@bob:b", { origin_server_ts: 1_300_000 }), true, "the kick");
    now = 1_120_000;
    assert.equal(order.take("@bob:b", { origin_server_ts: 1_120_000 }), true, "Bob rejoins from agglo-b 2 minutes later: taken");
    assert.equal(order.take("@bob:b", {}), true, "no time: taken as it comes");
  });

  it("follows the homeserver's chain (unsigned.replaces_state) before the times: a council whose clock is behind ours (review R11)", () => {
    const order = new MemberEventOrder(() => 2_000_000);
    assert.equal(order.take("@bob:b", { event_id: "$join", origin_server_ts: 1_000_000 }), true);
    assert.equal(order.take("@bob:b", { event_id: "$kick", origin_server_ts: 1_100_000, unsigned: { replaces_state: "$join" } }), true);
    // agglo-b's clock is 5 minutes behind: Bob's rejoin says 900,000 but replaces the kick
    assert.equal(order.take("@bob:b", { event_id: "$rejoin", origin_server_ts: 900_000, unsigned: { replaces_state: "$kick" } }), true, "the rejoin, by its chain");
    assert.equal(order.take("@bob:b", { event_id: "$kick", origin_server_ts: 1_100_000, unsigned: { replaces_state: "$join" } }), false, "the kick fed again: it is what the rejoin replaced");
    assert.equal(order.take("@bob:b", { event_id: "$invite", origin_server_ts: 800_000 }), false, "an older event without chain: by time");
  });
});
