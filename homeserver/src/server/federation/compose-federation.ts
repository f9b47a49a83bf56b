// Wires the federation services: transport, key ring, sender, input, membership, listener.
import type { HomeserverConfig } from "../../config/config-types.ts";
import type { SigningKey } from "../../room/signing.ts";
import type { Database, SqlExecutor } from "../../storage/sql.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import { FederationStore } from "../../storage/federation-store.ts";
import { ServerKeyStore } from "../../storage/server-key-store.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { KeyedLock } from "../rooms/room-lock.ts";
import type { AfterCommit, PersistedEvent } from "../rooms/local-events.ts";
import type { Router } from "../http/router.ts";
import { FederationRouter } from "./transport/rejection-log.ts";
import { FederationClient } from "./transport/federation-client.ts";
import { KeyRing } from "./keys/key-ring.ts";
import { federationAuthenticator } from "./transport/inbound-auth.ts";
import { startFederationListener, type FederationListener } from "./transport/listener.ts";
import { listenerConnectionOptions } from "../http/connection-guard.ts";
import { FederationSender, DEFAULT_SENDER_OPTIONS, type SenderOptions } from "./sending/federation-sender.ts";
import { EventFetcher } from "./inbound/event-fetcher.ts";
import { RemoteInput } from "./inbound/remote-input.ts";
import { RemoteMembership } from "./remote-membership.ts";
import { Backfiller } from "./backfill.ts";
import { serversInRoom } from "./inbound/room-servers.ts";
import type { RoomMembers } from "../rooms/room-members.ts";
import type { FederationServices } from "./federation-services.ts";
import { composeExtras } from "./compose-extras.ts";

export interface FederationParts {
  services: FederationServices;
  router: Router;
  /**
   * Queues a local event for every server in its room, inside the persisting transaction. Returns
   * what to run once that transaction committed: the rows are sent (at once, from memory, to idle
   * destinations). The rows travel with the event, so an event whose COMMIT failed leaves nothing
   * behind and no other event's wake-up is lost.
   */
  enqueueLocal(tx: SqlExecutor, p: PersistedEvent): Promise<AfterCommit | undefined>;
  listen(): Promise<FederationListener>;
  stop(): Promise<void>;
}

export function composeFederation(deps: {
  config: HomeserverConfig; signingKey: SigningKey; db: Database; events: EventStore; rooms: RoomStore; clock: Clock; log: Logger;
  lock: KeyedLock; onRemotePersisted: (p: PersistedEvent, membersKept?: boolean) => void; senderOptions?: SenderOptions;
  /** A received event's writes ran in the open group (see RemoteInputDeps.onExecuted). */
  onRemoteExecuted?: (p: PersistedEvent) => void;
  /** The room members kept for the wake-ups, also giving a local event's destinations. */
  members?: RoomMembers;
}): FederationParts {
  const { config, signingKey, db, clock } = deps;
  const fedConfig = config.federation;
  const log = deps.log.child({ component: "federation" });
  const serverName = config.server.name;
  const ours = { serverName, current: signingKey, old: fedConfig.oldVerifyKeys };
  const client = new FederationClient({ serverName, signingKey, config: fedConfig, clock, log });
  const keyRing = new KeyRing({ ours, store: new ServerKeyStore({ db }), client, trustedKeyServers: fedConfig.trustedKeyServers, clock, log });
  const store = new FederationStore({ db });
  const sender = new FederationSender({ store, client, clock, log, serverName, options: deps.senderOptions ?? DEFAULT_SENDER_OPTIONS });
  const fetcher = new EventFetcher({ db, events: deps.events, client, keyRing, log });
  // both writers of remote state announce a membership change to the members cache, and withdraw it if it fails
  const members = deps.members;
  const memberHooks = members ? {
    onChanging: (roomId: string, eventId: string) => members.changing(roomId, eventId),
    onChangeFailed: (roomId: string, eventId: string) => members.changed(roomId, eventId),
  } : {};
  const input = new RemoteInput({
    db, events: deps.events, rooms: deps.rooms, client, keyRing, fetcher, lock: deps.lock, log, onPersisted: deps.onRemotePersisted,
    ...(deps.onRemoteExecuted ? { onExecuted: deps.onRemoteExecuted } : {}),
    ...memberHooks,
  });
  const membership = new RemoteMembership({
    db, events: deps.events, rooms: deps.rooms, store, client, keyRing, fetcher, lock: deps.lock, serverName, signingKey, clock, log, onPersisted: deps.onRemotePersisted,
    ...memberHooks,
  });
  const authenticate = federationAuthenticator({ serverName, keyRing, policy: { allowList: fedConfig.allowList, denyList: fedConfig.denyList }, clock });
  const backfiller = new Backfiller({ db, events: deps.events, rooms: deps.rooms, client, keyRing, fetcher, lock: deps.lock, serverName, log });
  const extras = composeExtras({ config, rooms: deps.rooms, sender, client, clock, log });
  const services: FederationServices = { client, keyRing, sender, input, fetcher, membership, backfiller, store, authenticate, eduHandlers: new Map(), ...extras.services };
  const router = new FederationRouter();
  let listener: FederationListener | undefined;
  return {
    services, router,
    async enqueueLocal(tx, p) {
      // the members at the event's state group when kept (no read), as notifyRoom uses them
      const destinations = deps.members ? new Set((await deps.members.get(p.roomId, p.stateGroup)).servers) : await serversInRoom(deps.rooms, p.roomId);
      const pdu = p.event.pdu;
      // the target of a membership change hears about it even when none of its users is joined
      if (pdu.type === "m.room.member" && pdu.state_key) {
        const target = serverNameOf(pdu.state_key);
        if (target) destinations.add(target);
      }
      const rows = await sender.enqueuePduTx(tx, destinations, pdu);
      // A request started from memory is built and ended in the microtasks that follow (its
      // destination's address is kept), but node:http hands it its kept-alive socket in a
      // process.nextTick, which runs only once the microtask queue is empty: after the local
      // wake-ups' woken /sync computations and the sender's answer (SQLite: all microtasks), so
      // the remote readers waited for the local ones. Waiting one tick of our own (queued first,
      // it resolves before the socket's tick runs, and promise continuations run after both)
      // puts the request's write before them; they wait for its build and TLS write, which ran
      // before them already save the write.
      return rows.length === 0 ? undefined : () => (sender.sendCommitted(rows) ? new Promise<void>((r) => process.nextTick(r)) : undefined);
    },
    async listen() {
      listener = await startFederationListener({
        router, log, config: fedConfig, maxJsonBody: config.limits.maxJsonBodyBytes, connections: listenerConnectionOptions(config.connections, true),
      });
      await sender.start();
      return listener;
    },
    async stop() {
      await listener?.stop();
      await sender.stop();
      client.close();
      extras.close();
    },
  };
}
