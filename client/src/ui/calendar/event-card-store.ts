// The calendar events of the room on screen as their updates left them (core/calendar/
// event-card-model.ts `currentCards`), computed by the room's widget slot, which has the session,
// and read by the timeline's cards, which have only their root. One room at a time.
import type { EventCard } from "../../core/calendar/event-card-model.ts";

type Listener = () => void;
let cards = new Map<string, EventCard>();
const listeners = new Set<Listener>();

export const currentCard = (uid: string): EventCard | undefined => cards.get(uid);

export function publishCards(next: Map<string, EventCard>): void {
  if (next.size === 0 && cards.size === 0) return;
  cards = next;
  for (const l of listeners) l();
}

export function onCards(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
