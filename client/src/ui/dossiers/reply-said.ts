// What the share dialog says once a citizen's reply is added: where it went in the dossier.
import type { ReplyPlace } from "../../core/dossiers/reply-place.ts";
import type { ShareTranslate } from "./share-messages.ts";

export function replyAddedSaid(tr: ShareTranslate, name: string, place: ReplyPlace): string {
  if (place.beside === undefined) return tr("addedAtTopAlone", { name });
  return place.path === "" ? tr("addedAtTop", { name, beside: place.beside }) : tr("addedIn", { name, folder: place.path, beside: place.beside });
}
