// Where a citizen's reply (a reply link made from a shared file) goes in the dossier (pure): beside
// the shared file as it is now (it may have moved since the link was made), or at the root when
// that file or its folder is in the bin or gone.
import { folderPath, isGone, type DossierSnapshot } from "./dossier-model.ts";

export interface ReplyPlace {
  /** The folder's id; undefined: the root. */
  parent: string | undefined;
  /** The folder's path ("Études/Mobilité"), "" at the root. */
  path: string;
  /** The shared file's current name when the reply goes beside it; undefined when it is gone. */
  beside: string | undefined;
}

export function replyPlace(snap: DossierSnapshot, entryId: string): ReplyPlace {
  const entry = snap.entries.get(entryId);
  if (entry === undefined || isGone(snap.entries, entryId)) return { parent: undefined, path: "", beside: undefined };
  return { parent: entry.parent, path: folderPath(snap, entry.parent), beside: entry.name };
}
