// An action's error in the agent's words when we know what it means (refused by the room's rules,
// no network, server not answering); the server's own message otherwise.
import { errorKind } from "../../core/error-kind.ts";
import type { Translate } from "../../core/i18n/translator.ts";

export function plainError(t: Translate, e: unknown): string {
  switch (errorKind(e, navigator.onLine)) {
    case "forbidden": return t("notAllowed");
    case "offline": case "unreachable": return t("serverUnreachable");
    default: return e instanceof Error ? e.message : String(e);
  }
}
