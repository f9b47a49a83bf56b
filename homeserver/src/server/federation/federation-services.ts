// The federation services handlers and room code use, built once in compose.ts.
import type { FederationStore } from "../../storage/federation-store.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import type { KeyRing } from "./keys/key-ring.ts";
import type { FederationSender } from "./sending/federation-sender.ts";
import type { RemoteInput } from "./inbound/remote-input.ts";
import type { EventFetcher } from "./inbound/event-fetcher.ts";
import type { RemoteMembership } from "./remote-membership.ts";
import type { Backfiller } from "./backfill.ts";
import type { InboundRequest } from "./transport/inbound-auth.ts";
import type { FederationExtras } from "./compose-extras.ts";

/** `edus`, `queries` and `remoteMedia` (compose-extras.ts) serve our client API towards other servers. */
export interface FederationServices extends FederationExtras {
  client: FederationClient;
  keyRing: KeyRing;
  sender: FederationSender;
  input: RemoteInput;
  fetcher: EventFetcher;
  membership: RemoteMembership;
  backfiller: Backfiller;
  store: FederationStore;
  /** Handlers of EDU types owned by other modules (e2ee), keyed by edu_type. */
  eduHandlers: Map<string, (origin: string, content: Record<string, unknown>) => Promise<void>>;
  /** Verifies the X-Matrix signature and the federation policy; returns the calling server. */
  authenticate(ctx: { readonly req: InboundRequest; readonly body: unknown }): Promise<{ origin: string }>;
}
