// Links of the dossier views: #/dossiers (every working group's dossiers, create one) and
// #/dossier/<room id> (its folder view). Real links: shareable, the back button works.
export type DossiersRoute = { kind: "list" } | { kind: "dossier"; roomId: string };

export function dossiersRouteFromHash(hash: string): DossiersRoute | undefined {
  if (hash === "#/dossiers") return { kind: "list" };
  const m = /^#\/dossier\/(.+)$/.exec(hash);
  if (m?.[1] === undefined) return undefined;
  try {
    return { kind: "dossier", roomId: decodeURIComponent(m[1]) };
  } catch {
    return undefined;
  }
}

export const DOSSIERS_HASH = "#/dossiers";
export const dossierHash = (roomId: string): string => `#/dossier/${encodeURIComponent(roomId)}`;
