// The agent's `m.tz` (profile field), read once per session by the widget slot and shared with the
// calendar event cards, which have no session of their own. Until it is known (or when unset),
// Europe/Paris, as the calendar widget and « Mes tâches » do: the browser's own zone would show
// the same meeting at another hour in the card than in the widget beside it.
import { DEFAULT_TIME_ZONE } from "../../../../appservices/kit/src/time-zone.ts";

type Listener = (tz: string) => void;

let zone: string = DEFAULT_TIME_ZONE;
const listeners = new Set<Listener>();

export const agentTimeZone = (): string => zone;

export function setAgentTimeZone(tz: string | undefined): void {
  if (tz === undefined || tz === zone) return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    return; // a zone this browser does not know: keep the current one
  }
  zone = tz;
  for (const l of listeners) l(tz);
}

export function onAgentTimeZone(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
