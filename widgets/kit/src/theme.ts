// Theme and language from the URL applied to the document: widgets style themselves with these
// custom properties, so a dark client does not host a glaring white widget.
import type { WidgetParams } from "./widget-params.ts";

const PALETTES = {
  light: { "--entente-bg": "#ffffff", "--entente-fg": "#1b1b1b", "--entente-muted": "#555555", "--entente-accent": "#000091" },
  dark: { "--entente-bg": "#161616", "--entente-fg": "#eeeeee", "--entente-muted": "#aaaaaa", "--entente-accent": "#8585f6" },
} as const;

export function applyTheme(doc: Document, params: Pick<WidgetParams, "theme" | "language">): void {
  const root = doc.documentElement;
  root.lang = params.language;
  root.dataset["theme"] = params.theme;
  for (const [k, v] of Object.entries(PALETTES[params.theme])) root.style.setProperty(k, v);
  root.style.colorScheme = params.theme;
}
