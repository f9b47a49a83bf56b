// Where keyboard focus goes for « Aller au contenu » (RGAA 12.7) and when a room is opened from the
// room list: the main landmark's heading (the room's name, "Mes tâches", a dossier...), else the
// landmark itself; made focusable by script only (tabindex -1), so Tab order is unchanged. The
// views shown instead of the room (tasks, dossiers) live in their outlets' shadow roots.

/** The main landmark on screen: a view an outlet shows, else the room (or the empty pane). */
export function mainLandmark(root: ParentNode): HTMLElement | null {
  for (const outlet of root.querySelectorAll("ent-tasks-outlet, ent-dossiers-outlet")) {
    const shown = outlet.shadowRoot?.querySelector<HTMLElement>("main, [role=main]");
    if (shown !== null && shown !== undefined) return shown;
  }
  return root.querySelector<HTMLElement>("main, [role=main]");
}

/** Focuses the landmark's first heading (h1), else the landmark. */
export function focusMain(root: ParentNode): boolean {
  const main = mainLandmark(root);
  if (main === null) return false;
  const target = main.shadowRoot?.querySelector<HTMLElement>("h1") ?? main.querySelector<HTMLElement>("h1") ?? main;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus();
  return true;
}
