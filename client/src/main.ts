// Entry: reads config.json (the councils offered at sign-in), then hands over to <ent-app>.
// matrix-js-sdk and its crypto WebAssembly are imported only when a session starts.
import { parseClientConfig, type ClientConfig } from "./core/client-config.ts";
import { takeEarlyPreview, type EarlyPreviewHolder } from "./core/early-preview-slot.ts";
import { fetchRoomPreview } from "./core/room-list-preview.ts";
import { loadSession, type Session } from "./core/sign-in.ts";
import type { AppShell } from "./ui/app/app-shell.ts";
import "./ui/app/app-shell.ts";

async function loadConfig(): Promise<ClientConfig> {
  try {
    const res = await fetch("./config.json", { cache: "no-cache" });
    return parseClientConfig(await res.json());
  } catch (e: unknown) {
    console.error("config.json unreadable, no councils offered", e);
    return { councils: [], defaultCouncil: undefined };
  }
}

performance.mark("entente:boot");
const app = document.querySelector<AppShell>("ent-app");
if (app !== null) {
  // A saved session: its room list is fetched while config.json loads (the page-load path),
  // usually already started by early-preview.ts.
  const saved = loadSession(localStorage);
  const preview = saved !== undefined ? takeEarlyPreview(globalThis as EarlyPreviewHolder, saved) ?? fetchRoomPreview(saved, (u, i) => fetch(u, i)) : undefined;
  app.boot(await loadConfig(), async (s: Session, password: string | undefined) => {
    const { MatrixChatSession } = await import("./core/matrix-session.ts");
    return MatrixChatSession.start(s, { useIndexedDB: true, password });
  }, preview);
}
