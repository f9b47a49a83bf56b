// The list read our client starts at open (client/src/core/widgets/first-read-hint.ts): the second
// opening of the board starts the board's first read from the hint the first one left, while the
// frame loads. A task created after that read, before the widget is ready (the consent dialog
// still open), must still be on the board: the host drops the speculation and the board reads for
// itself. The board runs in Chromium in our widget host page (our driver over matrix-js-sdk, live
// events fed as the room view does) against a real homeserver.
import assert from "node:assert/strict";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import type { FoldSnapshot } from "../../widgets/tasks/src/fold-snapshot.ts";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";
import type { Page } from "playwright-core";
import { READ_AT_OPEN_KEY } from "../../client/src/core/widgets/first-read-hint.ts";

/** The page's performance entries (the tests' tsconfig has no DOM types). */
interface Entries { getEntriesByName(name: string): unknown[] }

describe("task board: the list read started at open", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  before(async () => {
    [hs, pages] = await Promise.all([startTestHomeserver(), startWidgetPages({ jitsiConfig: {}, apps: ["tasks"] })]);
  });
  after(async () => {
    await pages?.stop();
    await hs?.stop();
  });

  const boardTasks = (page: Page): Promise<string[]> => waitFor("the board loaded", async () => {
    const board = page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/widgets/tasks/`));
    return board?.evaluate(() => {
      const b = (globalThis as unknown as { __taskBoard?: { status(): string; snapshot(): unknown } }).__taskBoard;
      return b?.status() === "ready" ? (b.snapshot() as FoldSnapshot).tasks.map((t) => String((t as { title?: unknown }).title)) : undefined;
    }).catch(() => undefined);
  }, 60_000);
  const marks = (page: Page, name: string): Promise<number> =>
    page.evaluate((n) => (globalThis as unknown as { performance: Entries }).performance.getEntriesByName(n).length, name);
  const markSeen = (page: Page, name: string): Promise<unknown> =>
    page.waitForFunction((n) => (globalThis as unknown as { performance: Entries }).performance.getEntriesByName(n).length > 0, name, { timeout: 60_000 });

  it("answers from it when nothing happened, and drops it for a task created before the board is ready", async () => {
    const anne = await registerUser(hs.url, "anne");
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Voirie" });
    let txn = 0;
    const send = async (type: string, content: unknown): Promise<string> =>
      (await call<{ event_id: string }>(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/t${txn++}`, content)).event_id;
    const anchor = await send(TASKLIST_ANCHOR, buildAnchor("Tâches"));
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(TASKS_STATE)}`, buildTasksState({ anchor }));
    for (let i = 0; i < 5; i++) await send("m.room.message", buildTaskRoot({ anchor, title: `Tâche ${i}` }));

    // One browser context: the hint lives in the host origin's localStorage across the openings.
    const ctx = await pages.browser.newContext();
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/widgets/tasks/index.html`, name: "Tâches" };
    const open = async (): Promise<Page> => {
      const page = await ctx.newPage();
      const hash = new URLSearchParams({ mode: "sdk", live: "1", defer: "1", hs: hs.url, token: anne.accessToken, user: anne.userId, device: anne.deviceId, room: roomId, wid: "tasks", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
      await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
      await page.waitForFunction(() => (globalThis as unknown as { __host: { clientReady: boolean } }).__host.clientReady, undefined, { timeout: 60_000 });
      // Off by default (first-read-hint.ts: readAtOpen): turned on in this origin's storage.
      await page.evaluate((k) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(k, "1"), READ_AT_OPEN_KEY);
      await page.evaluate(() => (globalThis as unknown as { __host: { openWidget(): void } }).__host.openWidget());
      return page;
    };
    try {
      // First opening: no hint yet; the board's first read leaves one.
      const first = await open();
      await first.locator("#approve").click({ timeout: 60_000 });
      assert.equal((await boardTasks(first)).length, 5);
      assert.equal(await marks(first, "entente:widget-first-read"), 0);
      await first.close();

      // Second opening, nothing new: the read started at open is used as it is.
      const second = await open();
      await markSeen(second, "entente:widget-first-read");
      await second.locator("#approve").click({ timeout: 60_000 });
      assert.equal((await boardTasks(second)).length, 5);
      assert.equal(await marks(second, "entente:widget-read-ahead-dropped"), 0);
      await second.close();

      // Third opening: a task is created after the read started at open, while the consent dialog
      // is still open (nothing is fed to the widget yet): the board must still show it.
      const third = await open();
      await markSeen(third, "entente:widget-first-read");
      await send("m.room.message", buildTaskRoot({ anchor, title: "Tâche tardive" }));
      await markSeen(third, "entente:widget-read-ahead-dropped");
      await third.locator("#approve").click({ timeout: 60_000 });
      const titles = await boardTasks(third);
      assert.equal(titles.length, 6);
      assert.ok(titles.includes("Tâche tardive"), titles.join(", "));
    } finally {
      await ctx.close();
    }
  });
});
