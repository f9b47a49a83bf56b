// The URL an iframe actually loads for a widget. Templates are expanded per the widget spec, the
// widget API's widgetId/parentUrl are added, and only https: URLs (plus the council's own origins,
// e.g. the demo's http://localhost) are ever loaded. Jitsi widgets ignore `url`, as in Element: our
// own wrapper is rendered from `data`, so a room cannot point a "meeting" at an arbitrary page.
import { expandUrlTemplate, templateVariables, type TemplateContext } from "../../../../widgets/kit/src/url-template.ts";
import type { WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";
import { JITSI_TYPES, JITSI_URL_FRAGMENT, parseJitsiWidget } from "../../../../widgets/jitsi/src/jitsi-widget.ts";

export interface FramePolicy {
  /** Origins allowed besides https: (the council's own, e.g. the demo's http://localhost:8080). */
  trustedOrigins: readonly string[];
  /** Absolute URL of our Jitsi wrapper page. */
  jitsiWrapperUrl: string;
  /** Our client's own URL, sent as parentUrl (the widget answers postMessages from its origin only). */
  parentUrl: string;
}

export type FrameUrlResult = { kind: "ok"; url: string; origin: string } | { kind: "refused"; reason: string };

export function isLoadableUrl(url: URL, policy: FramePolicy): boolean {
  return url.protocol === "https:" || policy.trustedOrigins.includes(url.origin);
}

export function widgetFrameUrl(widget: WidgetDefinition, ctx: TemplateContext, policy: FramePolicy): FrameUrlResult {
  let template = widget.url;
  if (JITSI_TYPES.includes(widget.type)) {
    const jitsi = parseJitsiWidget(widget);
    if (jitsi.kind === "invalid") return { kind: "refused", reason: jitsi.reason };
    template = `${policy.jitsiWrapperUrl.split("#")[0] ?? ""}#${JITSI_URL_FRAGMENT}`;
  }
  let url: URL;
  try {
    url = new URL(expandUrlTemplate(template, templateVariables(widget.data, ctx)));
  } catch {
    return { kind: "refused", reason: "adresse du widget illisible" };
  }
  if (!isLoadableUrl(url, policy)) return { kind: "refused", reason: `adresse non sûre (${url.protocol}) : seules les adresses https sont ouvertes` };
  url.searchParams.set("widgetId", widget.id);
  url.searchParams.set("parentUrl", policy.parentUrl);
  return { kind: "ok", url: url.href, origin: url.origin };
}
