// A write from the board or the details panel: the shown error is cleared when it starts and says
// why it failed if it does ("L'envoi a échoué : …"); nothing is thrown to the caller.
import type { Translate } from "./messages.ts";

export async function sendShowingError(host: { error: string; t: Translate }, work: () => Promise<unknown>): Promise<void> {
  try {
    host.error = "";
    await work();
  } catch (err) {
    host.error = host.t("sendFailed", { reason: err instanceof Error ? err.message : String(err) });
  }
}
