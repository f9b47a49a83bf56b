// Runs one meeting through Jitsi's IFrame API (external_api.js): loads the script ONLY for an
// allow-listed domain, constructs the API, follows participants, and hangs up on request.
// The contract this relies on (constructor, executeCommand, events) is pinned by
// tests/widgets/jitsi-contract.test.ts against a stand-in; see widgets/README.md.
import { externalApiUrl, isDomainAllowed, type JitsiConfig } from "./jitsi-config.ts";
import { externalApiOptions, type MeetingParams } from "./meeting-params.ts";

/** The part of JitsiMeetExternalAPI we use. */
export interface JitsiExternalApi {
  executeCommand(command: string, ...args: unknown[]): void;
  addListener(event: string, listener: (payload: unknown) => void): void;
  dispose(): void;
}
type JitsiConstructor = new (domain: string, options: Record<string, unknown>) => JitsiExternalApi;

export interface Participant { id: string; displayName: string }

export interface MeetingEvents {
  joined(): void;
  left(): void;
  participants(list: readonly Participant[]): void;
}

export class DomainRefusedError extends Error {}

function loadScript(doc: Document, src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = doc.createElement("script");
    s.src = src;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`impossible de charger ${src}`));
    doc.head.append(s);
  });
}

const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});

export class JitsiMeeting {
  readonly #participants = new Map<string, Participant>();
  #api: JitsiExternalApi | undefined;

  /** Refuses before touching the network when the domain is not on the council's list. */
  static async start(doc: Document, config: JitsiConfig, m: MeetingParams, parentNode: HTMLElement, events: MeetingEvents): Promise<JitsiMeeting> {
    if (!isDomainAllowed(m.domain, config)) throw new DomainRefusedError(m.domain);
    await loadScript(doc, externalApiUrl(m.domain));
    const ctor = (doc.defaultView as unknown as { JitsiMeetExternalAPI?: JitsiConstructor } | null)?.JitsiMeetExternalAPI;
    if (ctor === undefined) throw new Error("external_api.js n'a pas défini JitsiMeetExternalAPI");
    const meeting = new JitsiMeeting();
    meeting.#connect(new ctor(m.domain, { ...externalApiOptions(m), parentNode }), m, events);
    return meeting;
  }

  #connect(api: JitsiExternalApi, m: MeetingParams, events: MeetingEvents): void {
    this.#api = api;
    if (m.avatarUrl !== undefined) api.executeCommand("avatarUrl", m.avatarUrl);
    const emit = () => events.participants([...this.#participants.values()]);
    api.addListener("videoConferenceJoined", (p) => {
      const r = record(p);
      this.#participants.set(String(r["id"] ?? "me"), { id: String(r["id"] ?? "me"), displayName: String(r["displayName"] ?? m.displayName ?? "") });
      events.joined();
      emit();
    });
    api.addListener("participantJoined", (p) => {
      const r = record(p);
      if (typeof r["id"] !== "string") return;
      this.#participants.set(r["id"], { id: r["id"], displayName: typeof r["displayName"] === "string" ? r["displayName"] : "" });
      emit();
    });
    api.addListener("participantLeft", (p) => {
      const id = record(p)["id"];
      if (typeof id === "string" && this.#participants.delete(id)) emit();
    });
    api.addListener("displayNameChange", (p) => {
      const r = record(p);
      const existing = typeof r["id"] === "string" ? this.#participants.get(r["id"]) : undefined;
      if (existing !== undefined && typeof r["displayname"] === "string") {
        existing.displayName = r["displayname"];
        emit();
      }
    });
    // readyToClose: the agent left through Jitsi's own button; videoConferenceLeft: any leaving.
    for (const ev of ["videoConferenceLeft", "readyToClose"]) {
      api.addListener(ev, () => {
        if (this.#api === undefined) return;
        this.#participants.clear();
        this.#api.dispose();
        this.#api = undefined;
        events.left();
      });
    }
  }

  hangUp(): void {
    this.#api?.executeCommand("hangup");
  }

  toggleScreenSharing(): void {
    this.#api?.executeCommand("toggleShareScreen");
  }
}
