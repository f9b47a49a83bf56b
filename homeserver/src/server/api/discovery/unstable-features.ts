// The `unstable_features` of GET /_matrix/client/versions, in ONE table. Clients still gate
// features on these flags even where the spec has made them stable (Element, for one, says "your
// homeserver does not support cross-signing" and skips its encryption set-up without
// org.matrix.e2e_cross_signing). Only flags whose feature this server implements belong here;
// each row names where it is implemented, and tests/e2e/element-compat.test.ts exercises each.
// Not listed on purpose: org.matrix.msc3773 (thread notification counts in /sync): not implemented.

export interface UnstableFeature {
  flag: string;
  /** What the flag promises and where we implement it. */
  what: string;
}

export const UNSTABLE_FEATURES: readonly UnstableFeature[] = [
  { flag: "org.matrix.e2e_cross_signing", what: "cross-signing keys: /keys/device_signing/upload, /keys/signatures/upload (api/e2ee/cross-signing.ts)" },
  { flag: "org.matrix.msc3440.stable", what: "threads: m.thread relations, /v1/rooms/{roomId}/threads (api/room-queries/relations.ts)" },
  { flag: "org.matrix.msc2285.stable", what: "private read receipts m.read.private (api/rooms/ephemeral.ts)" },
  { flag: "org.matrix.msc3916.stable", what: "authenticated media /_matrix/client/v1/media/* (api/media/routes.ts)" },
  { flag: "org.matrix.msc3827.stable", what: "room type filtering: filter.room_types of /publicRooms (api/directory/public-rooms.ts)" },
];

/** The `unstable_features` object: every flag of the table, true. */
export function unstableFeatures(): Record<string, boolean> {
  return Object.fromEntries(UNSTABLE_FEATURES.map((f) => [f.flag, true]));
}
