// matrix-js-sdk logs through one global `loglevel` logger whose children (MatrixRTCSession, the
// event sending queue, the sync loop...) each reset their level to debug when created, so a level
// set on the root does not reach them. What children do inherit is the root's method factory: this
// one keeps warn and error (to stderr, as before) and makes the chatter below them a no-op, so a
// bot's log is our JSON lines plus the SDK's real warnings and errors.
import { logger } from "matrix-js-sdk/lib/logger.js";

type MethodFactory = (methodName: string, level: number, loggerName: string | symbol) => (...args: unknown[]) => void;
interface Rebuildable { methodFactory: MethodFactory; rebuild(): void }

const KEPT = new Set(["warn", "error"]);
let quieted = false;

/** Idempotent; call before the SDK makes its child loggers (bot-client.ts calls it on import). */
export function quietSdkLogs(): void {
  if (quieted) return;
  quieted = true;
  const root = logger as unknown as Rebuildable;
  const original = root.methodFactory;
  const none = (): void => undefined;
  root.methodFactory = (methodName, level, loggerName) => (KEPT.has(methodName) ? original(methodName, level, loggerName) : none);
  root.rebuild();
}
