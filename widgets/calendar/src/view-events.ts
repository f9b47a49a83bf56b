// Typed custom events the views send up to the app (DESIGN.md §3: typed custom events).
export type OpenOccurrence = CustomEvent<{ key: string }>;
export type NewEventAt = CustomEvent<{ day: string; minutes: number | undefined }>;
export type FocusDay = CustomEvent<{ day: string }>;

export const openOccurrence = (key: string): OpenOccurrence => new CustomEvent("open-occurrence", { detail: { key }, bubbles: true, composed: true });
export const newEventAt = (day: string, minutes?: number): NewEventAt => new CustomEvent("new-event", { detail: { day, minutes }, bubbles: true, composed: true });
export const focusDay = (day: string): FocusDay => new CustomEvent("focus-day", { detail: { day }, bubbles: true, composed: true });

/** Arrow keys, Home/End and PageUp/PageDown on a grid of days → the day to focus, or undefined. */
export function dayKeyMove(key: string, shift: boolean, weekday: number): number | "month-back" | "month-forward" | undefined {
  switch (key) {
    case "ArrowLeft": return -1;
    case "ArrowRight": return 1;
    case "ArrowUp": return -7;
    case "ArrowDown": return 7;
    case "Home": return -weekday;
    case "End": return 6 - weekday;
    case "PageUp": return shift ? undefined : "month-back";
    case "PageDown": return shift ? undefined : "month-forward";
    default: return undefined;
  }
}
