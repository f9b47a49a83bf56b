// A dossier's member as the views see it (the SDK side is dossier-members-sdk.ts).

/** A joined or invited member, and whether this agent may remove them (kick level, above them). */
export interface DossierMember { userId: string; name: string; membership: "join" | "invite"; removable: boolean }

/** What the members panel needs (DossiersPort has it). */
export interface DossierMembersPort {
  members(roomId: string): DossierMember[];
  /** Removes a member (kick); the room key changes for what is sent next. */
  removeMember(roomId: string, userId: string): Promise<void>;
}
