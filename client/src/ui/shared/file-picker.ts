// A file field in our words: the browser's own file input shows its label in the browser's
// language (« Choose Files / No file chosen » in a French page), so the real input is kept but
// visually hidden — still in the tab order, named by its <label>, opening the chooser with Enter
// or Space — and its label is drawn as a button; the focus ring of the input shows on that label
// (RGAA 10.7, focus visible). A template, so each view keeps its own state; the host adds
// `filePickerStyles` to its styles (after its own: the label's look wins over a view's label rule).
import { css, html, nothing } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";

export const filePickerStyles = css`
  .file-pick { display: inline-flex; align-items: center; gap: 0.5rem; position: relative; flex-wrap: wrap; }
  .file-pick > input[type="file"] { position: absolute; left: 0; top: 0; width: 1px; height: 1px; margin: 0; padding: 0; border: 0; opacity: 0; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .file-pick > label.file-pick-button { display: inline-block; cursor: pointer; border: 1px solid var(--border, #d1d5db); background: var(--surface, #fff); color: #1b1f24; border-radius: var(--radius, 6px); padding: 0.35rem 0.7rem; font-size: inherit; }
  .file-pick > label.file-pick-button:hover { background: #f3f4f6; }
  .file-pick > input:focus-visible + label.file-pick-button { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .file-pick > input:disabled + label.file-pick-button { opacity: 0.6; cursor: default; }
  .file-pick > .file-pick-chosen { color: var(--muted, #4b5563); }
`;

export interface FilePick {
  /** Unique in the host's shadow root: ties the label to the input. */
  id: string;
  /** The button's words, also the input's accessible name. */
  text: string;
  multiple?: boolean;
  accept?: string;
  /** For a field read from its form (the value is then kept after a pick). */
  name?: string;
  disabled?: boolean;
  describedBy?: string | undefined;
  /** Shown after the button (e.g. the chosen file's name, or « Aucune image choisie »). */
  chosen?: string | undefined;
  /** The files picked; the input is emptied afterwards unless it belongs to a form (`name`). */
  pick(files: File[]): void;
}

export function renderFilePicker(p: FilePick): unknown {
  const changed = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (p.name === undefined) input.value = "";
    p.pick(files);
  };
  const chosenId = p.chosen !== undefined ? `${p.id}-chosen` : undefined;
  const described = [p.describedBy, chosenId].filter((s) => s !== undefined && s !== "").join(" ");
  return html`<span class="file-pick"><input type="file" id=${p.id} name=${ifDefined(p.name)} ?multiple=${p.multiple === true}
      accept=${ifDefined(p.accept)} ?disabled=${p.disabled === true} aria-describedby=${described !== "" ? described : nothing} @change=${changed}
    /><label class="file-pick-button" for=${p.id}>${p.text}</label>${chosenId !== undefined ? html`<span class="file-pick-chosen" id=${chosenId}>${p.chosen}</span>` : nothing}</span>`;
}
