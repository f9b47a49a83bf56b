// Entry: reads config.json (the councils offered at sign-in), then hands over to <ent-app>.
// matrix-js-sdk and its crypto WebAssembly are imported only when a session starts.
import { parseClientConfig, type ClientConfig } from "./core/client-config.ts";
import type { Session } from "./core/sign-in.ts";
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

const app = document.querySelector<AppShell>("ent-app");
if (app !== null) {
  app.boot(await loadConfig(), async (s: Session, password: string | undefined) => {
    const { MatrixChatSession } = await import("./core/matrix-session.ts");
    return MatrixChatSession.start(s, { useIndexedDB: true, password });
  });
}
