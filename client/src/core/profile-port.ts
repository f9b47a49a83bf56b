// The agent's own profile as the client edits it: the display name every room shows (the server
// rewrites the agent's member event in each joined room) and the time zone (`m.tz` profile field,
// spec v1.16), which the tasks bot, the digest, « Mes tâches » and the calendar read to say times
// in the agent's zone.
// https://spec.matrix.org/v1.16/client-server-api/#profiles

export interface MyProfile {
  displayName: string | undefined;
  /** An IANA zone, undefined when unset or unreadable (Europe/Paris is then used). */
  timeZone: string | undefined;
}

export interface ProfilePort {
  load(): Promise<MyProfile>;
  /** Sends only what changed from `before`. */
  save(next: { displayName: string; timeZone: string }, before: MyProfile): Promise<void>;
}
