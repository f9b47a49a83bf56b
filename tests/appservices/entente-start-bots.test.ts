// `entente start` runs each council's tasks bot (one child process per council, council-bots.ts)
// and, under `entente demo`, the first council's bot seeds one working group across both councils
// with a task list and tasks, once: a second start finds it and seeds nothing.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { entente, freePortBlock, spawnEntente, stopEntente, type RunningCli } from "../harness/entente-cli.ts";
import { call } from "../harness/client-api.ts";
import { waitFor } from "../harness/homeserver.ts";

type Json = Record<string, unknown>;
const C = "/_matrix/client/v3";

const api = (base: string, token: string, method: string, path: string, body?: unknown): Promise<Json> => call(base, { accessToken: token }, method, path, body);

describe("entente start/demo run the tasks bots; the demo seeds one working group", function () {
  this.timeout(240_000);
  let root: string;
  let dir: string;
  let base: number;
  let run: RunningCli | undefined;
  const agglo = (): string => `http://127.0.0.1:${base + 4}`;
  const start = async (): Promise<RunningCli> => {
    // `demo DIR` on an existing federation = `start DIR` plus the demo seed.
    const r = spawnEntente(["demo", dir]);
    await r.waitFor(/ville-a: tasks bot @entente-tasks:ville-a\.localhost running/, 120_000);
    await r.waitFor(/agglo-b: tasks bot @entente-tasks:agglo-b\.localhost running/, 120_000);
    return r;
  };
  const stop = async (): Promise<void> => {
    const code = await stopEntente(run);
    run = undefined;
    assert.equal(code, 0);
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "entente-start-bots-"));
    dir = join(root, "fed");
    base = await freePortBlock(8);
    const init = entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--demo-users", "1", "--base-port", String(base)]);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    if (run) await stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it("starts both bots; agent1 of agglo-b is invited to the working group and reads its tasks", async () => {
    run = await start();
    const password = (parse(readFileSync(join(dir, "agglo-b/demo-accounts.yaml"), "utf8")) as Record<string, string>)["agent1"] ?? "";
    const login = await fetch(`${agglo()}${C}/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password }) });
    const token = String(((await login.json()) as Json)["access_token"]);
    const roomId = await waitFor("the invite to the working group", async () => {
      const s = await api(agglo(), token, "GET", `${C}/sync?timeout=0`);
      // The room, not the space around it nor its dossier (invited too): a create event without a type.
      const invites = ((s["rooms"] as Json)["invite"] ?? {}) as Record<string, { invite_state?: { events?: Json[] } }>;
      return Object.keys(invites).find((id) => {
        const create = invites[id]?.invite_state?.events?.find((e) => e["type"] === "m.room.create");
        return create !== undefined && (create["content"] as Json)["type"] === undefined;
      });
    }, 60_000);
    await api(agglo(), token, "POST", `${C}/join/${encodeURIComponent(roomId)}`, {});
    // The seed invites first, then sets the list up and writes the tasks: wait for all three.
    const state = await waitFor("the task list state", () => api(agglo(), token, "GET", `${C}/rooms/${encodeURIComponent(roomId)}/state/fr.entente.tasks/`).catch(() => undefined), 60_000);
    assert.equal(state["bot"], "@entente-tasks:ville-a.localhost");
    // Sent before agglo-b joined: agglo-b gets them by backfill, through /messages.
    const tasks = await waitFor("three tasks", async () => {
      const r = await api(agglo(), token, "GET", `${C}/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`);
      const chunk = (r["chunk"] as { content: Json }[]).filter((e) => e.content["msgtype"] === "fr.entente.task");
      return chunk.length >= 3 ? { chunk } : undefined;
    }, 60_000);
    const titles = (tasks["chunk"] as { content: Json }[]).map((e) => (e.content["fr.entente.task"] as Json)["title"]).sort();
    assert.deepEqual(titles, ["Préparer le budget primitif", "Relire la convention de mutualisation", "Réserver la salle du conseil"]);
    const budget = (tasks["chunk"] as { content: Json }[]).find((e) => String(e.content["body"]).includes("budget"));
    assert.deepEqual((budget?.content["fr.entente.task"] as Json)["assignees"], ["@agent1:ville-a.localhost", "@agent1:agglo-b.localhost"]);
    assert.match(readFileSync(join(dir, "ville-a/tasks-bot.log"), "utf8"), /"msg":"demo working group seeded"/);
  });

  it("a second start seeds nothing more (idempotent), and the bots stop with entente", async () => {
    await stop();
    run = await start();
    const log = readFileSync(join(dir, "ville-a/tasks-bot.log"), "utf8");
    assert.equal(log.match(/"msg":"demo working group seeded"/g)?.length, 1);
    assert.match(log, /"msg":"task list loaded"[^\n]*"tasks":3/);
    await stop();
  });
});
