// `entente demo`: the working group its tasks bot seeds carries the task board and the calendar
// as room widgets, at the address where the same `entente demo` serves the widgets. Before, the
// room had none and its agents (power level 0) could not add any: no board, no calendar in the demo.
// Also what the start table tells an agent, and the bots' logs an admin reads.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { parse } from "yaml";
import { entente, freePortBlock, REPO_ROOT, spawnEntente, stopEntente, type RunningCli } from "../harness/entente-cli.ts";
import { call } from "../harness/client-api.ts";
import { waitFor } from "../harness/homeserver.ts";
import { gnupgHome, openArchive, stopGnupg } from "../harness/gnupg.ts";
import { draftTar, parseSealResponse, sealedMessage } from "../../appservices/files/src/archive/archive-from-client.ts";
import { roomArchiveItems } from "../../appservices/files/src/archive/room-source.ts";
import type { ArchiveManifest } from "../../appservices/files/src/archive/archive-layout.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";

async function toBlob(s: ReadableStream<Uint8Array>): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const c of s) parts.push(c as Uint8Array<ArrayBuffer>);
  return new Blob(parts);
}

type Json = Record<string, unknown>;
const C = "/_matrix/client/v3";
const enc = encodeURIComponent;

describe("entente demo: the working group has the task board and the calendar, and is a space", function () {
  this.timeout(300_000);
  let root = "";
  let run: RunningCli | undefined;
  after(async () => {
    await stopEntente(run).catch(() => undefined);
    if (root !== "") stopGnupg(join(root, "gnupg"));
    if (root !== "") rmSync(root, { recursive: true, force: true });
  });

  it("adds both widgets, pointing at the widgets it serves, seen by an agent of the group", async () => {
    root = mkdtempSync(join(tmpdir(), "entente-demo-widgets-"));
    const dir = join(root, "fed");
    const base = await freePortBlock(10);
    const init = entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--demo-users", "1", "--base-port", String(base)]);
    assert.equal(init.code, 0, init.stderr);
    run = spawnEntente(["demo", dir], REPO_ROOT, { ...process.env, ENTENTE_RADICALE_BIN: join(root, "no-radicale") });
    await run.waitFor(/Groupe de travail : tableau des tâches et agenda ajoutés/, 180_000);
    const widgetsUrl = /Widgets : (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.output())?.[1];
    assert.ok(widgetsUrl !== undefined, run.output());
    assert.equal((await fetch(`${widgetsUrl}tasks/index.html`)).status, 200);
    const hs = `http://127.0.0.1:${base}`;
    const password = (parse(readFileSync(join(dir, "ville-a/demo-accounts.yaml"), "utf8")) as Record<string, string>)["agent1"] ?? "";
    const login = await fetch(`${hs}${C}/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password }) });
    const agent = { accessToken: String(((await login.json()) as Json)["access_token"]) };
    const invited = (id: string) => async (): Promise<boolean | undefined> => {
      const s = await call<Json>(hs, agent, "GET", `${C}/sync?timeout=0`);
      return id in (((s["rooms"] as Json)["invite"] ?? {}) as Json) || undefined;
    };
    const roomId = String((await call<Json>(hs, agent, "GET", `${C}/directory/room/${enc("#entente-tasks_groupe-de-travail:ville-a.localhost")}`))["room_id"]);
    await waitFor("the invite to the working group", invited(roomId), 60_000);
    await call(hs, agent, "POST", `${C}/join/${enc(roomId)}`, {});
    const widget = (key: string): Promise<Json> => call<Json>(hs, agent, "GET", `${C}/rooms/${enc(roomId)}/state/im.vector.modular.widgets/${key}`);
    const tasks = await widget("entente-tasks");
    const calendar = await widget("entente-calendar");
    assert.equal(tasks["type"], "m.custom");
    assert.ok(String(tasks["url"]).startsWith(`${widgetsUrl}tasks/index.html?userId=$matrix_user_id&roomId=$matrix_room_id`), String(tasks["url"]));
    assert.ok(String(calendar["url"]).startsWith(`${widgetsUrl}calendar/#userId=$matrix_user_id`), String(calendar["url"]));
    // The working group is a space (« Objectifs », « Dossiers »): the room and an encrypted
    // dossier are its children, the room holds an objective the first task is linked to.
    const spaceId = String((await call<Json>(hs, agent, "GET", `${C}/directory/room/${enc("#entente-tasks_espace-groupe-de-travail:ville-a.localhost")}`))["room_id"]);
    await waitFor("the invite to the space", invited(spaceId), 60_000);
    await call(hs, agent, "POST", `${C}/join/${enc(spaceId)}`, {});
    const spaceState = await call<Json[]>(hs, agent, "GET", `${C}/rooms/${enc(spaceId)}/state`);
    const createType = (state: Json[]): unknown => (state.find((e) => e["type"] === "m.room.create")?.["content"] as Json | undefined)?.["type"];
    assert.equal(createType(spaceState), "m.space");
    // Not the room's name: the room list shows the space with the room under it.
    assert.equal((spaceState.find((e) => e["type"] === "m.room.name")?.["content"] as Json | undefined)?.["name"], "Coopération inter-collectivités");
    const children = spaceState.filter((e) => e["type"] === "m.space.child").map((e) => String(e["state_key"]));
    assert.ok(children.includes(roomId), JSON.stringify(children));
    const dossierId = children.find((c) => c !== roomId);
    assert.ok(dossierId !== undefined && children.length === 2, JSON.stringify(children));
    await waitFor("the invite to the dossier", invited(dossierId), 60_000);
    await call(hs, agent, "POST", `${C}/join/${enc(dossierId)}`, {});
    const dossierState = await call<Json[]>(hs, agent, "GET", `${C}/rooms/${enc(dossierId)}/state`);
    assert.equal(createType(dossierState), "fr.entente.dossier");
    assert.ok(dossierState.some((e) => e["type"] === "m.room.encryption"));
    assert.ok(dossierState.some((e) => e["type"] === "m.space.parent" && e["state_key"] === spaceId));
    // agent1 is the dossier's moderator: « Exporter pour archivage » works out of the box. The
    // demo made the archive keys; the export (as the client builds it) is signed by ville-a and
    // opened with GnuPG and the archivist's private key the start table points to.
    const levels = await call<Json>(hs, agent, "GET", `${C}/rooms/${enc(dossierId)}/state/m.room.power_levels/`);
    assert.equal((levels["users"] as Json)["@agent1:ville-a.localhost"], 50);
    assert.equal((levels["users"] as Json)["@agent1:agglo-b.localhost"], 50);
    const archivistKey = /clé privée de l'archiviste : (\S+)/.exec(run.output())?.[1];
    assert.ok(archivistKey !== undefined && archivistKey.startsWith(dir), run.output());
    const shareUrl = /citizen sharing ville-a: (http:\/\/\S+)/.exec(run.output())?.[1];
    assert.ok(shareUrl !== undefined, run.output());
    const missing: ArchiveManifest["missing"] = [];
    const tar = await toBlob(draftTar(dossierId, roomArchiveItems({ baseUrl: hs, accessToken: agent.accessToken, roomId: dossierId, backend: nodeBackend }, missing), missing));
    const sealedRes = await fetch(`${shareUrl}/api/archive/${enc(dossierId)}`, { method: "POST", body: tar, headers: { "Content-Type": "application/x-tar", Authorization: `Bearer ${agent.accessToken}` } });
    assert.equal(sealedRes.status, 200, await sealedRes.clone().text());
    const sealed = parseSealResponse(await sealedRes.json());
    const exported = join(root, "export.tar.gpg");
    writeFileSync(exported, Buffer.from(await (await toBlob(await sealedMessage(tar, sealed))).arrayBuffer()));
    const gpg = gnupgHome(join(root, "gnupg"));
    assert.equal(gpg("--import", archivistKey).status, 0);
    const councilKey = readFileSync(join(dir, "ville-a/archive/council-archive-key.pub.asc"), "utf8");
    assert.equal(gpg("--import", join(dir, "ville-a/archive/council-archive-key.pub.asc")).status, 0);
    const councilFpr = (await openpgp.readKey({ armoredKey: councilKey })).getFingerprint().toUpperCase();
    const opened = openArchive(gpg, exported, join(root, "export.tar"), join(root, "export"), councilFpr);
    assert.equal(opened.manifest.room_id, dossierId);
    const objectives = await call<Json>(hs, agent, "GET", `${C}/rooms/${enc(roomId)}/state/fr.entente.objectives/`);
    const messages = ((await call<Json>(hs, agent, "GET", `${C}/rooms/${enc(roomId)}/messages?dir=b&limit=100`))["chunk"] as Json[]);
    const objective = messages.find((e) => (e["content"] as Json)["msgtype"] === "fr.entente.objective");
    assert.ok(objective !== undefined, "no objective in the working group");
    assert.equal(((objective["content"] as Json)["m.relates_to"] as Json)["event_id"], objectives["anchor"]);
    const linked = messages.filter((e) => ((e["content"] as Json)["fr.entente.task"] as Json | undefined)?.["objective"] === objective["event_id"]);
    assert.equal(linked.length, 1, "one task linked to the objective");
    // What the start table says (an agent reads it first): every column named, the web client's
    // address under the accounts; the bots' logs without Node's DEP0060 noise.
    const out = run.output();
    assert.match(out, /council \/ collectivité\s+account \/ compte\s+password \/ mot de passe\s+note\n/);
    assert.match(out.slice(out.indexOf("Accounts / comptes")), /\nWeb client \/ client web : http:\/\/127\.0\.0\.1:\d+ \(Entente/);
    const botLog = readFileSync(join(dir, "ville-a/tasks-bot.log"), "utf8");
    assert.doesNotMatch(botLog, /DEP0060/);
    // matrix-js-sdk's debug chatter (its global logger) stays out of the bots' logs.
    assert.doesNotMatch(botLog, /MatrixRTCSession|Got remote echo|setting pendingEvent status|Stopping queue/);
    // A demo folder seeded before agent1 moderated the dossier gets it at the next start.
    const asToken = String((parse(readFileSync(join(dir, "ville-a/appservices/tasks.yaml"), "utf8")) as Json)["as_token"]);
    const bot = { accessToken: asToken };
    const { users, ...rest } = levels;
    const older = Object.fromEntries(Object.entries(users as Json).filter(([u]) => !u.startsWith("@agent1:")));
    await call(hs, bot, "PUT", `${C}/rooms/${enc(dossierId)}/state/m.room.power_levels/`, { ...rest, users: older });
    assert.equal(await stopEntente(run), 0);
    run = spawnEntente(["demo", dir], REPO_ROOT, { ...process.env, ENTENTE_RADICALE_BIN: join(root, "no-radicale") });
    await run.waitFor(/Entente is running/, 180_000);
    await waitFor("agent1 moderates the dossier again", async () => {
      const now = await call<Json>(hs, agent, "GET", `${C}/rooms/${enc(dossierId)}/state/m.room.power_levels/`).catch(() => ({} as Json));
      return ((now["users"] ?? {}) as Json)["@agent1:agglo-b.localhost"] === 50 ? true : undefined;
    }, 60_000);
    assert.equal(await stopEntente(run), 0);
    run = undefined;
  });
});
