// The folder view's navigation: the dossier's folders as a WAI-ARIA tree (always expanded), one
// item focusable at a time (the open folder); Up/Down/Home/End move, Enter or Space opens. And the
// breadcrumbs of the open folder.
// https://www.w3.org/WAI/ARIA/apg/patterns/treeview/
import { html, nothing } from "lit";
import type { FolderNode } from "../../core/dossiers/dossier-model.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

function treeKey(e: KeyboardEvent, open: (folder: string | undefined) => void): void {
  const tree = e.currentTarget as HTMLElement;
  const items = [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')];
  const i = items.indexOf(e.target as HTMLElement);
  if (i < 0) return;
  const to = e.key === "ArrowDown" ? i + 1 : e.key === "ArrowUp" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? items.length - 1 : undefined;
  if (to !== undefined) {
    e.preventDefault();
    items[Math.max(0, Math.min(items.length - 1, to))]?.focus();
  } else if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    open((e.target as HTMLElement).dataset["id"] || undefined);
  }
}

export function renderFolderTree(nodes: FolderNode[], current: string | undefined, tr: DossierTranslate, open: (folder: string | undefined) => void): unknown {
  const item = (id: string | undefined, name: string, children: FolderNode[]): unknown => html`<li role="treeitem" data-id=${id ?? ""}
      tabindex=${current === id ? "0" : "-1"} aria-selected=${current === id ? "true" : "false"} aria-expanded=${children.length > 0 ? "true" : nothing}
      @click=${(e: Event) => { e.stopPropagation(); open(id); }}><span>${name}</span>${children.length > 0 ? html`<ul role="group">${children.map((c) => item(c.id, c.name, c.children))}</ul>` : nothing}</li>`;
  return html`<ul role="tree" aria-label=${tr("folders")} @keydown=${(e: KeyboardEvent) => treeKey(e, open)}>${item(undefined, tr("top"), nodes)}</ul>`;
}

/** The path from the dossier's root to the open folder (`crumbs`: its folders, outermost first), each a link. */
export function renderBreadcrumbs(crumbs: readonly { id: string; name: string }[], tr: DossierTranslate, open: (folder: string | undefined) => void): unknown {
  const link = (id: string | undefined, name: string, current: boolean): unknown => html`<li><a href="#"
    @click=${(e: Event) => { e.preventDefault(); open(id); }} aria-current=${current ? "page" : nothing}>${name}</a></li>`;
  return html`<nav aria-label=${tr("breadcrumbs")}><ol>
    ${link(undefined, tr("top"), crumbs.length === 0)}${crumbs.map((c, i) => link(c.id, c.name, i === crumbs.length - 1))}
  </ol></nav>`;
}
