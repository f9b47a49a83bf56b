// Builds the federation services our client API uses for other servers: outbound typing/receipt
// EDUs, remote queries (profiles, aliases, room directory) and the remote media cache.
import type { HomeserverConfig } from "../../config/config-types.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { MediaFiles } from "../media/media-files.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import type { FederationSender } from "./sending/federation-sender.ts";
import { serversInRoom } from "./inbound/room-servers.ts";
import { OutboundEdus } from "./outbound-edus.ts";
import { RemoteQueries } from "./remote-queries.ts";
import { RemoteMedia } from "./remote-media.ts";
import { guardedUrlFetcher } from "./media-redirect.ts";

export interface FederationExtras {
  edus: OutboundEdus;
  queries: RemoteQueries;
  remoteMedia: RemoteMedia;
}

export function composeExtras(deps: {
  config: HomeserverConfig; rooms: RoomStore; sender: FederationSender; client: FederationClient; clock: Clock; log: Logger;
}): { services: FederationExtras; close(): void } {
  const { config, clock, log } = deps;
  const redirects = guardedUrlFetcher(config.federation);
  const edus = new OutboundEdus({
    sender: deps.sender, serversInRoom: (roomId) => serversInRoom(deps.rooms, roomId), serverName: config.server.name, log,
    joinedRooms: async (userId) => (await deps.rooms.roomsForUser(userId)).filter((r) => r.membership === "join").map((r) => r.roomId),
  });
  const queries = new RemoteQueries({ client: deps.client, clock, log });
  const remoteMedia = new RemoteMedia({
    client: deps.client, files: new MediaFiles({ root: config.media.path }), root: config.media.path, maxBytes: config.media.maxUploadBytes,
    fetchUrl: redirects.fetch, clock, log: log.child({ component: "remote-media" }),
  });
  return { services: { edus, queries, remoteMedia }, close: () => redirects.close() };
}
