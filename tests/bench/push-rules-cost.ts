// `node tests/bench/push-rules-cost.ts [EVENTS]`: push-rule evaluation alone (push-evaluator.ts),
// the probe's case: a plain m.text message (no m.mentions, so the legacy display-name and
// localpart rules run) for 21 recipients with the default rules, one condition memo per event as
// push-processor.ts shares it. Prints CPU per event (all 21 recipients). Run it in two worktrees
// alternately to compare (docs/perf/speed-2.md).
import { loadavg } from "node:os";
import { effectiveRuleset } from "../../homeserver/src/server/users/push-ruleset.ts";
import { EventConditionMemo, evaluatePushRules } from "../../homeserver/src/server/push/push-evaluator.ts";

const events = Number(process.argv[2] ?? "20000");
const users = Array.from({ length: 21 }, (_, i) => `@agent${i}:ville-a.localhost`);
const rulesets = users.map((u) => effectiveRuleset(u, undefined));
const facts = { memberCount: 22, senderPowerLevel: 0, notificationLevels: new Map([["room", 50]]) };
const run = (n: number): number => {
  let notified = 0;
  for (let e = 0; e < n; e++) {
    const event = { type: "m.room.message", sender: "@orateur:ville-a.localhost", room_id: "!salle:ville-a.localhost", event_id: `$e${e}`, content: { msgtype: "m.text", body: `bonjour à tous, message ${e}` }, origin_server_ts: 1 };
    const memo = new EventConditionMemo();
    users.forEach((userId, i) => {
      if (evaluatePushRules(rulesets[i]!, event, { userId, displayName: `Agent ${i}`, ...facts }, memo)?.notify) notified++;
    });
  }
  return notified;
};
run(2000); // warm-up
const c0 = process.cpuUsage();
const notified = run(events);
const c = process.cpuUsage(c0);
process.stdout.write(`push rules, 21 recipients: ${((c.user + c.system) / events).toFixed(1)} µs CPU per event (${notified / events} notified); load ${loadavg()[0]!.toFixed(1)}\n`);
