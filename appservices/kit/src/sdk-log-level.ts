// matrix-js-sdk's log in a bot: our JSON lines plus the SDK's real warnings and errors (to stderr,
// as before), its debug/info chatter dropped, child loggers included (loglevel-quiet.ts says how).
import { logger } from "matrix-js-sdk/lib/logger.js";
import { quietLoglevel, type LoglevelLike } from "./loglevel-quiet.ts";

/** Idempotent; call before the SDK makes its child loggers (bot-client.ts calls it on import). */
export function quietSdkLogs(): void {
  quietLoglevel(logger as unknown as LoglevelLike);
}
