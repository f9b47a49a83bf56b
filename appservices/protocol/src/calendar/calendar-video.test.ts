import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Utf8 } from "../sha256.ts";
import { eventMeeting, eventMeetingIds, jitsiMeetingLink, parseJitsiMeetingLink } from "./calendar-video.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("calendar video meeting", () => {
  it("hashes like node:crypto's SHA-256 at every padding boundary and for non-ASCII text", () => {
    assert.equal(hex(sha256Utf8("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (let n = 0; n < 200; n++) {
      const s = "é".repeat(n % 7) + "x".repeat(n);
      assert.equal(hex(sha256Utf8(s)), createHash("sha256").update(s, "utf8").digest("hex"), `length ${n}`);
    }
  });

  it("derives the same ids everywhere, the calendar bot's formula, in Element's shapes, different per event", () => {
    // The bot's derivation (appservices/calendar/src/video/), recomputed here with node:crypto.
    const bot = (seed: string, alphabet: string): string => {
      const bytes = createHash("sha256").update(seed).digest();
      return Array.from({ length: 24 }, (_, i) => alphabet[(bytes[i] ?? 0) % alphabet.length] ?? "a").join("");
    };
    const lower = "abcdefghijklmnopqrstuvwxyz";
    for (const uid of ["commission-2026@ville-a.fr", "040000008200E00074C5B7101A82E008", "é-ü@x"]) {
      const l = bot(`entente-conference:${uid}`, lower);
      assert.deepEqual(eventMeetingIds(uid), {
        conferenceId: `Jitsi${l.slice(0, 1).toUpperCase()}${l.slice(1)}`,
        widgetId: bot(`entente-widget:${uid}`, `${lower.toUpperCase()}${lower}0123456789`),
      }, uid);
    }
    const a = eventMeetingIds("commission-2026@ville-a.fr");
    assert.match(a.conferenceId, /^Jitsi[A-Z][a-z]{23}$/);
    assert.match(a.widgetId, /^[A-Za-z0-9]{24}$/);
    assert.notEqual(eventMeetingIds("commission-2027@ville-a.fr").conferenceId, a.conferenceId);
  });

  it("reads a video.url link, and refuses what is not https://<domain>/<conference>", () => {
    assert.deepEqual(parseJitsiMeetingLink("https://Meet.Ville-A.fr/Commission"), { domain: "meet.ville-a.fr", conferenceId: "Commission" });
    assert.equal(jitsiMeetingLink("meet.ville-a.fr", "JitsiAbc"), "https://meet.ville-a.fr/JitsiAbc");
    for (const bad of ["http://meet.fr/x", "https://meet.fr/", "https://meet.fr/a/b", "https://meet.fr/x?jwt=1", "https://u:p@meet.fr/x", "pas un lien"]) {
      assert.equal(parseJitsiMeetingLink(bad), undefined, bad);
    }
    const ids = eventMeetingIds("u1");
    assert.deepEqual(eventMeeting("u1", { kind: "jitsi" }), { kind: "jitsi", domain: undefined, ...ids });
    assert.deepEqual(eventMeeting("u1", { kind: "jitsi", url: "https://meet.x/Salle" }), { kind: "jitsi", domain: "meet.x", conferenceId: "Salle", widgetId: ids.widgetId });
    assert.equal(eventMeeting("u1", { kind: "jitsi", url: "https://meet.x/a/b" }).kind, "unreadable");
  });
});
