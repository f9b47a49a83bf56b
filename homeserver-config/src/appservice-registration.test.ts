import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseRegistration } from "../../homeserver/src/server/appservice/registration.ts";
import { appserviceRegistrationYaml } from "./appservice-registration.ts";

describe("bot appservice registrations", () => {
  it("are accepted by the homeserver's registration parser", () => {
    const text = appserviceRegistrationYaml({ bot: "tasks", serverName: "ville-a.localhost", url: "http://127.0.0.1:8602", asToken: "as1", hsToken: "hs1" });
    const parsed = parseRegistration(parse(text), "tasks.yaml", "ville-a.localhost");
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
    assert.equal(parsed.value.senderUserId, "@entente-tasks:ville-a.localhost");
    assert.equal(parsed.value.url, "http://127.0.0.1:8602");
  });

  it("claim only the bot's own users, on its own server", () => {
    const text = appserviceRegistrationYaml({ bot: "calendar", serverName: "agglo-b.localhost", url: "http://127.0.0.1:1", asToken: "a", hsToken: "h" });
    const regex = new RegExp(`^${(parse(text) as { namespaces: { users: { regex: string }[] } }).namespaces.users[0]!.regex}$`);
    assert.ok(regex.test("@entente-calendar:agglo-b.localhost"));
    assert.ok(regex.test("@entente-calendar_alice:agglo-b.localhost"));
    assert.ok(!regex.test("@entente-calendar:aggloXb.localhost"));
    assert.ok(!regex.test("@alice:agglo-b.localhost"));
  });
});
