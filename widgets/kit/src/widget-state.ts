// Room widgets are `im.vector.modular.widgets` state events (Element's legacy type, still what
// every client writes; `m.widget` is the unstable successor nobody sends), state_key = widget id.
// Account widgets live in the `m.widgets` account data, keyed by id. Content from the room is
// anyone-with-power-level's input: parsed here, never trusted. Empty content means "removed".
// https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/1236-widget-api.md

export const ROOM_WIDGET_EVENT = "im.vector.modular.widgets";
export const ACCOUNT_WIDGETS_EVENT = "m.widgets";

export type WidgetData = Readonly<Record<string, unknown>>;

export interface WidgetDefinition {
  id: string;
  type: string;
  /** The URL template, still with its `$variables`. */
  url: string;
  name: string;
  data: WidgetData;
  avatarUrl: string | undefined;
  creatorUserId: string;
}

export type WidgetStateResult =
  | { kind: "widget"; widget: WidgetDefinition }
  | { kind: "removed"; id: string }
  | { kind: "invalid"; id: string; reason: string };

const MAX_URL = 4096;
const MAX_NAME = 255;
const MAX_ID = 255;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const invalid = (id: string, reason: string): WidgetStateResult => ({ kind: "invalid", id, reason });

/** Parses one widget's content; `id` is the state key (room) or the account-data key. */
export function parseWidgetContent(id: string, content: unknown, sender: string): WidgetStateResult {
  if (id === "" || id.length > MAX_ID) return invalid(id, "identifiant de widget vide ou trop long");
  if (!isRecord(content)) return invalid(id, "le contenu du widget n'est pas un objet");
  if (Object.keys(content).length === 0) return { kind: "removed", id };
  const { type, url, name, data, avatar_url: avatarUrl } = content;
  if (typeof type !== "string" || type === "" || type.length > MAX_NAME) return invalid(id, "type de widget manquant ou invalide");
  if (typeof url !== "string" || url === "" || url.length > MAX_URL) return invalid(id, "adresse (url) du widget manquante ou invalide");
  if (name !== undefined && typeof name !== "string") return invalid(id, "nom du widget invalide");
  if (data !== undefined && !isRecord(data)) return invalid(id, "les données (data) du widget doivent être un objet");
  if (avatarUrl !== undefined && typeof avatarUrl !== "string") return invalid(id, "avatar du widget invalide");
  return {
    kind: "widget",
    widget: {
      id,
      type,
      url,
      name: (name ?? "").slice(0, MAX_NAME).trim() || type,
      data: data ?? {},
      avatarUrl,
      creatorUserId: sender,
    },
  };
}

/** Account widgets: `m.widgets` content is `{ [id]: { content, ... } }`. */
export function parseAccountWidgets(accountData: unknown, userId: string): WidgetStateResult[] {
  if (!isRecord(accountData)) return [];
  return Object.entries(accountData).map(([id, entry]) =>
    isRecord(entry) ? parseWidgetContent(id, entry["content"], userId) : invalid(id, "entrée de widget de compte invalide"),
  );
}
