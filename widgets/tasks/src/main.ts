// The task board widget: connect through the widget kit with exactly the board's capabilities,
// then load the room's task list and show the board. Outside a client, the kit's French fallback.
import { startWidget } from "../../kit/src/start-widget.ts";
import { readWidgetParams } from "../../kit/src/widget-params.ts";
import { TASK_BOARD_CAPABILITIES } from "./capabilities.ts";
import { BoardStore, LIVE_TYPES } from "./board-store.ts";
import { sessionPort } from "./board-port.ts";
import { boardTranslator } from "./messages.ts";
import { foldSnapshot } from "./fold-snapshot.ts";
import { TaskBoard } from "./task-board.ts";
import { measureSince, now } from "./load-marks.ts";

async function main(): Promise<void> {
  const mount = document.getElementById("app");
  if (mount === null) return;
  const started = now();
  const session = await startWidget({ capabilities: TASK_BOARD_CAPABILITIES, mount });
  measureSince("connect", started);
  if (session === undefined) return;
  const params = readWidgetParams(window.location.href);
  const store = new BoardStore(sessionPort(session, LIVE_TYPES), session.params.userId ?? "");
  const board = document.createElement("entente-task-board") as TaskBoard;
  board.store = store;
  board.t = boardTranslator(params.language);
  board.userId = session.params.userId ?? "";
  board.timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Paris";
  mount.replaceChildren(board);
  // For tests and support: the board's fold, in the canonical form every reader can compare.
  (window as unknown as { __taskBoard: unknown }).__taskBoard = { status: () => store.status, snapshot: () => foldSnapshot(store.result) };
  await store.load();
}

void main();
