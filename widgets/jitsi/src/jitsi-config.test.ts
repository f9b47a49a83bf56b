import assert from "node:assert/strict";
import { externalApiUrl, isDomainAllowed, JitsiConfigError, parseJitsiConfig } from "./jitsi-config.ts";
import { externalApiOptions, readMeetingParams } from "./meeting-params.ts";
import { readWidgetParams } from "../../kit/src/widget-params.ts";

describe("jitsi widget: allow-list and meeting parameters", () => {
  const config = parseJitsiConfig({ widgets: { jitsi_domains: ["Meet.Ville-A.fr.", "visio.agglo-b.fr"] } });

  it("allows listed domains exactly, nothing around them", () => {
    assert.deepEqual(config.domains, ["meet.ville-a.fr", "visio.agglo-b.fr"]);
    assert.equal(config.preferredDomain, "meet.ville-a.fr");
    assert.equal(isDomainAllowed("meet.ville-a.fr", config), true);
    assert.equal(isDomainAllowed("MEET.ville-a.fr", config), true);
    for (const d of ["evil.meet.ville-a.fr", "meet.ville-a.fr.evil", "meet.ville-a.fr/x", "meet.ville-a.fr:444", "meet.jit.si", ""]) {
      assert.equal(isDomainAllowed(d, config), false, d);
    }
    assert.equal(externalApiUrl("Meet.Ville-A.fr"), "https://meet.ville-a.fr/external_api.js");
  });

  it("an absent section allows nothing; a malformed one is an error", () => {
    assert.deepEqual(parseJitsiConfig({}).domains, []);
    assert.throws(() => parseJitsiConfig({ widgets: { jitsi_domains: "meet.example" } }), JitsiConfigError);
    assert.throws(() => parseJitsiConfig({ widgets: { jitsi_domains: ["https://meet.example"] } }), JitsiConfigError);
  });

  it("reads Element's fragment and builds the IFrame API options: name, language, audio-only", () => {
    const p = readWidgetParams("https://w/jitsi/?widgetId=w&parentUrl=https://c/#conferenceDomain=meet.ville-a.fr&conferenceId=JitsiAbc&isAudioOnly=true&displayName=Anne%20Martin&avatarUrl=https%3A%2F%2Fhs%2Fa.png&roomName=Voirie&language=fr");
    const r = readMeetingParams(p);
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok") return;
    const o = externalApiOptions(r.meeting);
    assert.equal(o.roomName, "JitsiAbc");
    assert.equal(o.lang, "fr");
    assert.deepEqual(o.userInfo, { displayName: "Anne Martin" });
    assert.equal(o.configOverwrite["startAudioOnly"], true);
    assert.equal(o.configOverwrite["defaultLanguage"], "fr");
    assert.equal(o.configOverwrite["subject"], "Voirie");
    assert.equal(r.meeting.avatarUrl, "https://hs/a.png");
  });

  it("refuses a fragment without a usable domain or conference", () => {
    const read = (frag: string) => readMeetingParams(readWidgetParams(`https://w/?widgetId=w&parentUrl=https://c/#${frag}`)).kind;
    assert.equal(read("conferenceDomain=$domain&conferenceId=X"), "invalid");
    assert.equal(read("conferenceDomain=meet.x&conferenceId=a%2Fb"), "invalid");
    assert.equal(read("conferenceDomain=meet.x"), "invalid");
  });
});
