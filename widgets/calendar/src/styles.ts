// Shared styles: the kit's theme properties (light/dark from the host), visible focus everywhere.
import { css } from "lit";

export const baseStyles = css`
  :host { display: block; font: 0.9rem/1.4 system-ui, sans-serif; color: var(--entente-fg, #1b1b1b); background: var(--entente-bg, #fff); }
  button, select, input, textarea { font: inherit; }
  button { cursor: pointer; border: 1px solid var(--entente-muted, #555); background: transparent; color: inherit; border-radius: 4px; padding: 0.2rem 0.5rem; }
  button.primary { background: var(--entente-accent, #000091); color: #fff; border-color: var(--entente-accent, #000091); }
  button[aria-pressed="true"], [role="tab"][aria-selected="true"] { background: var(--entente-accent, #000091); color: #fff; }
  :focus-visible { outline: 3px solid var(--entente-accent, #000091); outline-offset: 2px; }
  .event { display: block; width: 100%; text-align: left; border: none; border-left: 3px solid var(--entente-accent, #000091); background: color-mix(in srgb, var(--entente-accent, #000091) 12%, transparent); border-radius: 3px; padding: 0 0.25rem; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: 0.8rem; }
  .muted { color: var(--entente-muted, #555); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
