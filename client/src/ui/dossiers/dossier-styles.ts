// The folder view's styles (its rows and transfer lists render into the same shadow root).
import { css } from "lit";

export const dossierStyles = css`
    :host { display: block; padding: 0.8rem 1.2rem; }
    :host(.drag) { outline: 3px dashed var(--accent, #1d4ed8); outline-offset: -6px; }
    header { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: baseline; }
    h1 { margin: 0.2rem 0; font-size: 1.3rem; }
    .muted { color: var(--muted); font-size: 0.9rem; }
    nav ol { display: flex; gap: 0.3rem; list-style: none; padding: 0; margin: 0.3rem 0; flex-wrap: wrap; }
    nav li + li::before { content: "›"; margin-right: 0.3rem; color: var(--muted); }
    .tools { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; margin: 0.6rem 0; }
    .tools label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9rem; }
    .tools label.inline { flex-direction: row; align-items: center; gap: 0.3rem; }
    /* minmax(0, …): the grid column may shrink below the table's widest row, whose actions then wrap
       (a 1fr column grew past the window: « Actions ▾ » and a row's « Signaler »/« Déplacer » cut off). */
    .body { display: grid; grid-template-columns: 14rem minmax(0, 1fr); gap: 1rem; align-items: start; }
    [role="tree"], [role="group"] { list-style: none; padding-left: 0.8rem; margin: 0; }
    [role="treeitem"] > span { display: inline-block; padding: 0.15rem 0.3rem; border-radius: 4px; cursor: pointer; }
    [role="treeitem"][aria-selected="true"] > span { background: #dbeafe; font-weight: 600; }
    [role="treeitem"]:focus-visible > span { outline: 2px solid #1d4ed8; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid #e2e8f0; vertical-align: middle; }
    tr:focus-visible { outline: 2px solid #1d4ed8; outline-offset: -2px; }
    td.actions > * { vertical-align: middle; }
    td.actions > button, td.actions > ent-menu-button { margin: 0.1rem 0.25rem 0.1rem 0; }
    button.link { background: none; border: none; padding: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer; font: inherit; }
    td.actions button, td.actions select, td.actions ent-menu-button { font-size: 0.85rem; }
    img.thumb { width: 40px; height: 40px; object-fit: cover; vertical-align: middle; margin-right: 0.4rem; border-radius: 3px; }
    form.lock-form, form.move-form { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; align-items: center; }
    /* A percentage lets the list shrink with its cell (a select is compressible): its longest option no longer widens the table. */
    td.actions select { max-width: min(12rem, 100%); }
    .lock { font-size: 0.85rem; color: #92400e; margin-top: 0.15rem; }
    .where { font-size: 0.85rem; margin-top: 0.15rem; }
    .where button.link { text-align: left; }
    .offer { display: flex; gap: 0.5rem; margin: -0.6rem 0 0.6rem; }
    img.preview-large { display: block; max-width: 16rem; max-height: 20rem; border: 1px solid #cbd5e1; margin: 0.4rem 0; background: #fff; }
    .file-icon { font-size: 3rem; margin: 0.2rem 0; }
    .deleted { text-decoration: line-through; color: var(--muted); }
    .empty { padding: 2rem; text-align: center; border: 2px dashed #cbd5e1; border-radius: 8px; color: var(--muted); }
    .uploads { list-style: none; padding: 0; }
    .uploads li { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.3rem 0; }
    progress { width: 14rem; }
    .history { border: 1px solid #cbd5e1; border-radius: 6px; padding: 0.6rem; margin-top: 0.8rem; }
    .error { color: #991b1b; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
