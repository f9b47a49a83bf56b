// The shell's hooks for the task views, so the app shell changes by three lines: <ent-tasks-nav>
// (header links "Mes tâches" and "Objectifs") and <ent-tasks-outlet>, which wraps the room pane
// and shows "Mes tâches" or the objectives dashboard instead when the address says so
// (tasks-route.ts). Both follow the address themselves (hashchange).
import { css, html, nothing } from "lit";
import type { TasksPort } from "../../core/tasks/tasks-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { hashFollower } from "../shared/hash-follower.ts";
import { theme } from "../shared/theme.ts";
import { tasksTranslator } from "./tasks-messages.ts";
import { objectivesHash, TASKS_HASH, tasksRouteFromHash } from "./tasks-route.ts";
import "./my-tasks-view.ts";
import "../objectives/objectives-view.ts";

/** Re-renders its element when the address changes. */
const HashFollower = hashFollower(tasksRouteFromHash);

export class TasksNav extends HashFollower {
  static override properties = { ...HashFollower.properties, i18n: { attribute: false } };
  declare i18n: I18n;
  static override styles = [theme, css`
    nav { display: flex; gap: 0.8rem; }
    a { color: #fff; text-decoration: underline; text-underline-offset: 3px; }
    a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 2px; }
  `];
  override render(): unknown {
    const tr = tasksTranslator(this.i18n.locale);
    const kind = this.route?.kind;
    return html`<nav aria-label=${tr("tasksNav")}>
      <a href=${TASKS_HASH} aria-current=${kind === "tasks" ? "page" : nothing}>${tr("myTasks")}</a>
      <a href=${objectivesHash()} aria-current=${kind === "objectives" ? "page" : nothing}>${tr("objectives")}</a>
    </nav>`;
  }
}
customElements.define("ent-tasks-nav", TasksNav);

export class TasksOutlet extends HashFollower {
  static override properties = { ...HashFollower.properties, i18n: { attribute: false }, port: { attribute: false } };
  declare i18n: I18n;
  declare port: TasksPort | undefined;
  // The host takes no box: the room pane (slotted) or the view stays the layout's grid item.
  static override styles = css`
    :host { display: contents; }
    ent-my-tasks, ent-objectives { min-height: 0; overflow-y: auto; }
  `;
  override render(): unknown {
    const r = this.route;
    if (r === undefined || this.port === undefined) return html`<slot></slot>`;
    return r.kind === "tasks"
      ? html`<ent-my-tasks role="main" .port=${this.port} .i18n=${this.i18n}></ent-my-tasks>`
      : html`<ent-objectives role="main" .port=${this.port} .i18n=${this.i18n} .spaceId=${r.spaceId}></ent-objectives>`;
  }
}
customElements.define("ent-tasks-outlet", TasksOutlet);
