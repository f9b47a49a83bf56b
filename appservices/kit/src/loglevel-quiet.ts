// One way to quiet matrix-js-sdk's `loglevel` logger, for the bots and the web client: its child
// loggers (MatrixRTCSession, the event sending queue, the sync loop...) each reset their level to
// debug when created, so a level set on the root does not reach them; what children do inherit is
// the root's method factory. This one keeps warn and error (or every level, for a developer), drops
// the messages known to be harmless (each listed with its reason by the caller), and passes the
// rest through unchanged, with its `this`. Pure: the logger is given, nothing imported.

/** The part of a loglevel logger (the SDK's `logger`) this needs. */
export interface LoglevelLike {
  methodFactory: (methodName: string, level: number, loggerName: string | symbol) => (...args: unknown[]) => void;
  rebuild(): void;
}

export interface QuietOptions {
  /** Keep trace/debug/info/log too (a developer's build); else only warn and error. */
  keepChatter?: boolean;
  /** Messages (the first argument) known to be harmless: dropped at every level. */
  expected?: readonly RegExp[];
}

const KEPT = new Set(["warn", "error"]);
const quieted = new WeakSet<LoglevelLike>();

/** Whether a call with `args` is one of the expected messages (the first argument is the message). */
export function isExpected(args: readonly unknown[], expected: readonly RegExp[]): boolean {
  const first = args[0];
  return typeof first === "string" && expected.some((re) => re.test(first));
}

/** Idempotent per logger; call before the SDK makes its child loggers. */
export function quietLoglevel(logger: LoglevelLike, opts: QuietOptions = {}): void {
  if (quieted.has(logger)) return;
  quieted.add(logger);
  const expected = opts.expected ?? [];
  const make = logger.methodFactory;
  const none = (): void => undefined;
  logger.methodFactory = (methodName, level, loggerName) => {
    if (opts.keepChatter !== true && !KEPT.has(methodName)) return none;
    const raw = make(methodName, level, loggerName);
    if (expected.length === 0) return raw;
    return function (this: unknown, ...args: unknown[]): void {
      if (!isExpected(args, expected)) raw.apply(this, args);
    };
  };
  logger.rebuild();
}
