// Links of the dossier views: #/dossiers (every working group's dossiers, create one) and
// #/dossier/<room id> (its folder view). Real links: shareable, the back button works.
import { idFromHash } from "../shared/hash-id.ts";

export type DossiersRoute = { kind: "list" } | { kind: "dossier"; roomId: string };

export function dossiersRouteFromHash(hash: string): DossiersRoute | undefined {
  if (hash === "#/dossiers") return { kind: "list" };
  const roomId = idFromHash(hash, "dossier");
  return roomId === undefined ? undefined : { kind: "dossier", roomId };
}

export const DOSSIERS_HASH = "#/dossiers";
export const dossierHash = (roomId: string): string => `#/dossier/${encodeURIComponent(roomId)}`;
