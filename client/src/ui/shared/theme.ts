import { css } from "lit";

// Calm colours with WCAG AA contrast on white (RGAA 3.2), a focus ring that is always visible.
export const theme = css`
  :host { --accent: #1d4ed8; --accent-text: #ffffff; --muted: #4b5563; --border: #d1d5db; --surface: #ffffff; --danger: #b91c1c; --radius: 6px; }
  button, input, select, textarea { font: inherit; }
  button { cursor: pointer; border: 1px solid var(--border); background: var(--surface); color: #1b1f24; border-radius: var(--radius); padding: 0.35rem 0.7rem; }
  button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
  button:disabled { opacity: 0.6; cursor: default; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  input, select, textarea { border: 1px solid #6b7280; border-radius: var(--radius); padding: 0.4rem; background: #fff; color: #111827; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .error { color: var(--danger); }
  .muted { color: var(--muted); }
`;
