import assert from "node:assert/strict";

describe("the agent's time zone for the calendar event cards", () => {
  it("is Europe/Paris until the agent's m.tz is known, whatever the browser's zone (as the calendar widget and « Mes tâches »)", async () => {
    const before = process.env["TZ"];
    process.env["TZ"] = "America/New_York"; // a browser set to another zone
    try {
      const { agentTimeZone, setAgentTimeZone } = await import(`./agent-time-zone.ts?tz=${Date.now()}`) as typeof import("./agent-time-zone.ts");
      assert.equal(Intl.DateTimeFormat().resolvedOptions().timeZone, "America/New_York");
      assert.equal(agentTimeZone(), "Europe/Paris");
      setAgentTimeZone(undefined); // m.tz unset
      assert.equal(agentTimeZone(), "Europe/Paris");
      setAgentTimeZone("Not/AZone");
      assert.equal(agentTimeZone(), "Europe/Paris");
      setAgentTimeZone("America/Cayenne");
      assert.equal(agentTimeZone(), "America/Cayenne");
    } finally {
      if (before === undefined) delete process.env["TZ"];
      else process.env["TZ"] = before;
    }
  });
});
