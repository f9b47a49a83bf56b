import assert from "node:assert/strict";
import { dropNotice, dropSecretIn, parseDrop, parseShareView, shareNotice, shareTag } from "./share-service.ts";
import type { FileVersion } from "./dossier-model.ts";

const version: FileVersion = { eventId: "$v2", name: "acte.pdf", msgtype: "m.file", mimetype: "application/pdf", size: 10, sender: "@a:x", ts: 0, file: undefined, url: undefined, parts: false, thumbnail: undefined };

describe("client core: citizen sharing helpers", () => {
  it("the room notice of a share names the version, expiry and limit, never the link or its id", () => {
    const share = parseShareView({ id: "SECRETID0123456789abcd", url: "https://p.example/s/SECRETID0123456789abcd", created_at: 1, expires_at: Date.UTC(2027, 0, 2), max_downloads: 3, downloads: 0, state: "active", access: [{ at: 5, action: "key" }] });
    const notice = shareNotice({ roomId: "!r:x", entryId: "$root", name: "acte.pdf", version, plain: new Blob([]), expiresAt: 86_400_000, maxDownloads: 3 }, share, "Europe/Paris");
    const text = JSON.stringify(notice);
    assert.ok(!text.includes("SECRETID"), "no link id in the room");
    assert.deepEqual(notice["m.relates_to"], { rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: "$root" } });
    assert.deepEqual(notice["fr.entente.share"], { version: "$v2", expires_at: Date.UTC(2027, 0, 2), max_downloads: 3 });
    assert.match(String(notice["body"]), /jusqu'au 2 janvier 2027 (à )?01:00 \(heure de Paris\),.* until 2 January 2027(,| at) 01:00 \(Paris time\),/);
    const utc = shareNotice({ roomId: "!r:x", entryId: "$root", name: "acte.pdf", version, plain: new Blob([]), expiresAt: 86_400_000, maxDownloads: 3 }, share, "Not/AZone");
    assert.match(String(utc["body"]), /jusqu'au 2 janvier 2027 (à )?00:00 \(UTC\)/);
    assert.deepEqual(share.access, [{ at: 5, action: "key" }]);
    assert.match(String(notice["body"]), /, 3 téléchargements au plus\) \/ .*, at most 3 downloads\)$/);
    const once = shareNotice({ roomId: "!r:x", entryId: "$root", name: "acte.pdf", version, plain: new Blob([]), expiresAt: 86_400_000, maxDownloads: 1 }, { ...share, maxDownloads: 1 }, "Europe/Paris");
    assert.match(String(once["body"]), /, 1 téléchargement au plus\) \/ .*, at most 1 download\)$/);
  });

  it("a reply link's notice carries its secret for the members; parsing is strict", () => {
    const n = dropNotice("$root", "acte.pdf", "D1", "s3cr3t", 0);
    assert.equal(dropSecretIn(n, "D1"), "s3cr3t");
    assert.equal(dropSecretIn(n, "D2"), undefined);
    assert.equal(parseDrop({ id: "D1", state: "weird" }).state, "closed");
    assert.throws(() => parseShareView({ id: 3 }));
  });

  it("tags a file's shares opaquely, the same for the same file", async () => {
    const t = await shareTag("!r:x", "$root");
    assert.match(t, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(await shareTag("!r:x", "$root"), t);
    assert.notEqual(await shareTag("!r:x", "$other"), t);
  });
});
