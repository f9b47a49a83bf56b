import assert from "node:assert/strict";
import { agentZone } from "./agent-zone.ts";

describe("calendar widget: the agent's zone", () => {
  it("takes the URL's tz, else the profile's m.tz, else Europe/Paris; unknown zones and failures count as absent", async () => {
    const asked: string[] = [];
    const profile = (body: unknown) => async (url: string) => { asked.push(url); return body; };
    assert.equal(await agentZone({ param: "America/Cayenne", baseUrl: "https://hs.example", userId: "@a:x", fetchJson: profile({}) }), "America/Cayenne");
    assert.deepEqual(asked, []);
    assert.equal(await agentZone({ param: "Mars/Olympus", baseUrl: "https://hs.example/", userId: "@a:x", fetchJson: profile({ "m.tz": "Indian/Reunion" }) }), "Indian/Reunion");
    assert.deepEqual(asked, ["https://hs.example/_matrix/client/v3/profile/%40a%3Ax"]);
    assert.equal(await agentZone({ param: undefined, baseUrl: "https://hs.example", userId: "@a:x", fetchJson: profile({ "m.tz": "Nowhere/City" }) }), "Europe/Paris");
    assert.equal(await agentZone({ param: undefined, baseUrl: "https://hs.example", userId: "@a:x", fetchJson: () => Promise.reject(new Error("down")) }), "Europe/Paris");
    assert.equal(await agentZone({ param: undefined, baseUrl: "javascript:x", userId: "@a:x" }), "Europe/Paris");
  });
});
