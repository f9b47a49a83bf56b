import assert from "node:assert/strict";
import { buildDossier, breadcrumbs, bytesUsed, checkName, folderTree, moveTargets, normalizeName, visibleEntries, type ViewQuery } from "./dossier-model.ts";
import { buildFileUpdate, buildFolderRoot, FILE_UPDATE, foldFileTree, FOLDER_EVENT, parseRoomPowerLevels } from "./protocol.ts";
import { DEFAULT_LARGE_FILE_THRESHOLD, parseDossierConfig, partSizeFor } from "./dossier-config.ts";

const A = "@alice:ville-a.test";
const B = "@bob:agglo-b.test";
const levels = parseRoomPowerLevels({ users: { [A]: 100 } });
const ev = (event_id: string, type: string, sender: string, ts: number, content: Record<string, unknown>): Record<string, unknown> => ({ event_id, type, sender, origin_server_ts: ts, content });
const enc = { v: "v2", url: "mxc://ville-a.test/x", key: { kty: "oct", alg: "A256CTR", k: "k", key_ops: ["encrypt", "decrypt"], ext: true }, iv: "iv", hashes: { sha256: "h" } };
const file = (id: string, sender: string, ts: number, name: string, size: number, mimetype = "application/pdf") =>
  ev(id, "m.room.message", sender, ts, { msgtype: mimetype.startsWith("image/") ? "m.image" : "m.file", body: name, filename: name, info: { mimetype, size }, file: enc });
const update = (id: string, sender: string, ts: number, u: Parameters<typeof buildFileUpdate>[0]) => ev(id, FILE_UPDATE, sender, ts, buildFileUpdate(u));

const events = [
  file("$f1", A, 1000, "Budget.ods", 300), file("$f2", A, 2000, "étude-mobilité.pdf", 5000), file("$f3", A, 3000, "plan.png", 100, "image/png"),
  file("$f1v2", A, 4000, "Budget.ods", 350), update("$u1", A, 4100, { root: "$f1", clock: 1, addVersion: "$f1v2" }),
  ev("$d1", FOLDER_EVENT, A, 5000, buildFolderRoot({ name: "Études" })),
  ev("$d2", FOLDER_EVENT, B, 5500, buildFolderRoot({ name: "Annexes", parent: "$d1" })),
  update("$u2", A, 6000, { root: "$f2", clock: 2, parent: "$d1" }),
  update("$u3", B, 7000, { root: "$f3", clock: 3, deleted: true }),
  // A file in parts: the size is the whole file's, not the manifest's.
  ev("$f4", "m.room.message", B, 8000, { msgtype: "m.file", body: "video.mp4", filename: "video.mp4.parts.json", info: { mimetype: "application/json", size: 900 }, file: enc, "fr.entente.parts": { version: 1, size: 3_000_000, mimetype: "video/mp4", parts: 3 } }),
];
const snap = buildDossier(foldFileTree({ events, levels }), events);
const q = (over: Partial<ViewQuery> = {}): ViewQuery => ({ folder: undefined, filter: "", order: { key: "name", descending: false }, showDeleted: false, ...over });
const names = (list: { name: string }[]): string[] => list.map((e) => e.name);

describe("client core: dossier view model", () => {
  it("gives each entry its versions' name, size, uploader and date", () => {
    const budget = snap.entries.get("$f1");
    assert.deepEqual(budget?.versions.map((v) => [v.eventId, v.size, v.sender]), [["$f1", 300, A], ["$f1v2", 350, A]]);
    assert.equal(budget?.size, 350, "the latest version's size");
    assert.equal(budget?.updatedAt, 4000);
    const big = snap.entries.get("$f4");
    assert.equal(big?.name, "video.mp4", "a file in parts is named by its body, not the manifest");
    assert.equal(big?.size, 3_000_000);
    assert.equal(big?.versions[0]?.parts, true);
    assert.equal(big?.versions[0]?.mimetype, "video/mp4");
  });

  it("lists a folder's children, folders first, sorted by name, date or size", () => {
    assert.deepEqual(names(visibleEntries(snap, q())), ["Études", "Budget.ods", "video.mp4"], "deleted plan.png hidden, étude inside Études");
    assert.deepEqual(names(visibleEntries(snap, q({ order: { key: "size", descending: true } }))), ["Études", "video.mp4", "Budget.ods"]);
    assert.deepEqual(names(visibleEntries(snap, q({ order: { key: "date", descending: false } }))), ["Études", "Budget.ods", "video.mp4"]);
    assert.deepEqual(names(visibleEntries(snap, q({ order: { key: "name", descending: true } }))), ["Études", "video.mp4", "Budget.ods"]);
    assert.deepEqual(names(visibleEntries(snap, q({ folder: "$d1" }))), ["Annexes", "étude-mobilité.pdf"]);
  });

  it("filters the whole dossier by name, without accents or case", () => {
    assert.equal(normalizeName("Étude-Mobilité"), "etude-mobilite");
    assert.deepEqual(names(visibleEntries(snap, q({ filter: "ETUDE" }))), ["Études", "étude-mobilité.pdf"]);
    assert.deepEqual(names(visibleEntries(snap, q({ filter: "plan" }))), [], "deleted files are not found");
    assert.deepEqual(names(visibleEntries(snap, q({ showDeleted: true }))), ["plan.png"], "the bin");
  });

  it("gives breadcrumbs, the folder tree, move targets and the bytes stored", () => {
    assert.deepEqual(names(breadcrumbs(snap, "$d2")), ["Études", "Annexes"]);
    assert.deepEqual(folderTree(snap), [{ id: "$d1", name: "Études", children: [{ id: "$d2", name: "Annexes", children: [] }] }]);
    assert.deepEqual(moveTargets(snap, "$d1"), [], "a folder cannot go inside itself");
    assert.deepEqual(moveTargets(snap, "$f1").map((t) => t.path), ["Études", "Études/Annexes"]);
    assert.equal(bytesUsed(snap), 300 + 350 + 5000 + 100 + 3_000_000, "every version, deleted files included");
  });

  it("checks names as the protocol does", () => {
    assert.deepEqual(checkName("  Rapport 2026  "), { ok: true, name: "Rapport 2026" });
    assert.deepEqual(checkName(" "), { ok: false, reason: "empty" });
    assert.deepEqual(checkName("a/b"), { ok: false, reason: "badChar" });
    assert.deepEqual(checkName("x".repeat(256)), { ok: false, reason: "tooLong" });
  });

  it("reads the large-file threshold from config.json", () => {
    assert.equal(parseDossierConfig({}).largeFileThreshold, DEFAULT_LARGE_FILE_THRESHOLD);
    assert.equal(parseDossierConfig({ dossiers: { large_file_threshold: 1048576 } }).largeFileThreshold, 1048576);
    assert.equal(parseDossierConfig({ dossiers: { large_file_threshold: "big" } }).largeFileThreshold, DEFAULT_LARGE_FILE_THRESHOLD);
    assert.equal(partSizeFor(DEFAULT_LARGE_FILE_THRESHOLD), 16 * 1024 * 1024);
    assert.equal(partSizeFor(1_000_001) % 16, 0);
  });
});
