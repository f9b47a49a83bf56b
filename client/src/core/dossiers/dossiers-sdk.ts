// DossiersPort over matrix-js-sdk. A dossier's tree is folded from the room's file events, kept by
// dossier-events-sdk.ts (whole history read once, then the live timeline). Files go through dossier-transfer.ts (@entente/files), messages through the SDK
// (so they are Megolm-encrypted like any message of the room).
import { Preset, Visibility, type MatrixClient, type Room } from "matrix-js-sdk";
import { sendAny, sendStateAny } from "../sdk-untyped.ts";
import { inviteAcross } from "../room-actions.ts";
import { spaceChildIds } from "../space-children.ts";
import { maxUploadSize } from "../error-kind.ts";
import { buildDossier, type DossierSnapshot, type FileVersion } from "./dossier-model.ts";
import { downloadDossierFile, previewBlob, saveDossierFile, TransferCancelled, uploadDossierFile, type DownloadProgress, type MediaAccess, type UploadControl } from "./dossier-transfer.ts";
import type { DossierRef, DossiersPort, DownloadOrigin, EntryChange, InterruptedDownload, InterruptedUpload, SpaceRef, TransferHandle, TransferProgress, UploadTarget } from "./dossiers-port.ts";
import { PendingDownloads } from "./pending-downloads.ts";
import { partsProgress, PendingUploads, resumeVerdict, type KeyValueStorage } from "./pending-uploads.ts";
import { exportRoomArchive, findArchiveService } from "./archive-sdk.ts";
import type { ArchiveProgress, ArchiveResult } from "./archive-export.ts";
import { dossierMembers, removeDossierMember } from "./dossier-members-sdk.ts";
import { reshareHistoryOnJoin } from "./dossier-members-history.ts";
import type { DossierMember } from "./dossier-members.ts";
import { mayLock, releaseLock, roomLocks, takeLock } from "./dossier-locks-sdk.ts";
import type { FileLock } from "./file-locks.ts";

/** The file picked to resume an upload was modified since (its lastModified changed): the upload must start over. */
export class FileChangedSinceUpload extends Error {
  override name = "FileChangedSinceUpload";
  constructor() {
    super("the file changed since its upload started");
  }
}

/** The file picked to resume an upload is not the one it started with (name or size differ). */
export class NotSameFile extends Error {
  override name = "NotSameFile";
}
import { buildFileUpdate, buildFolderRoot, checkSameFile, dossierPowerLevelEvents, loadWebBackend, uploadedResult, DOSSIER_ROOM_TYPE, FILE_UPDATE, FOLDER_EVENT, foldFileTree, nextClock, parseRoomPowerLevels, userLevel, type RoomPowerLevels } from "./protocol.ts";
import { DossierEvents } from "./dossier-events-sdk.ts";

const serverOf = (id: string): string => id.slice(id.indexOf(":") + 1);

export class MatrixDossiersPort implements DossiersPort {
  readonly userId: string;
  private readonly client: MatrixClient;
  private readonly tree: DossierEvents;
  private mediaConfig: Promise<number | undefined> | undefined;

  constructor(client: MatrixClient) {
    this.client = client;
    this.userId = client.getSafeUserId();
    // The archive service looked up ahead of any click: without one, an export fails before its save dialog opens.
    void findArchiveService(client);
    this.tree = new DossierEvents(client);
    // Who joins after this agent invited them gets the keys of the files already there (again: their device may not have existed at the invite).
    reshareHistoryOnJoin(client, (roomId, userId, error) => {
      if (error !== undefined) console.warn(`dossier ${roomId}: keys of its history not shared with ${userId}`, error);
    });
  }

  undecrypted(roomId: string): number {
    return this.tree.undecrypted(roomId);
  }

  private media(): MediaAccess {
    return { baseUrl: this.client.getHomeserverUrl().replace(/\/+$/, ""), accessToken: this.client.getAccessToken() ?? "" };
  }

  private joinedOrInvited(r: Room): "join" | "invite" | undefined {
    const m = r.getMyMembership();
    return m === "join" || m === "invite" ? m : undefined;
  }

  spaces(): SpaceRef[] {
    return this.client.getRooms().filter((r) => r.isSpaceRoom() && r.getMyMembership() === "join")
      .map((r) => ({ spaceId: r.roomId, name: r.name })).sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  invitedSpaces(): SpaceRef[] {
    return this.client.getRooms().filter((r) => r.isSpaceRoom() && r.getMyMembership() === "invite")
      .map((r) => ({ spaceId: r.roomId, name: r.name })).sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  isDossier(roomId: string): boolean {
    return this.client.getRoom(roomId)?.getType() === DOSSIER_ROOM_TYPE;
  }

  dossierName(roomId: string): string | undefined {
    const r = this.client.getRoom(roomId);
    return r !== null && r.getType() === DOSSIER_ROOM_TYPE ? r.name : undefined;
  }

  dossiers(spaceId: string): DossierRef[] {
    const space = this.client.getRoom(spaceId);
    if (space === null) return [];
    const children = spaceChildIds(space);
    const out: DossierRef[] = [];
    for (const id of children) {
      const r = this.client.getRoom(id);
      const membership = r === null ? undefined : this.joinedOrInvited(r);
      if (r !== null && membership !== undefined && r.getType() === DOSSIER_ROOM_TYPE) out.push({ roomId: id, name: r.name, membership });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  async createDossier(spaceId: string, name: string): Promise<string> {
    const via = [serverOf(spaceId)];
    const { room_id } = await this.client.createRoom({
      name, preset: Preset.PrivateChat, visibility: Visibility.Private,
      creation_content: { type: DOSSIER_ROOM_TYPE },
      // Every member may take an advisory lock (state): the defaults' events map plus the lock at 0.
      power_level_content_override: { events: dossierPowerLevelEvents() },
      initial_state: [
        { type: "m.room.history_visibility", state_key: "", content: { history_visibility: "shared" } },
        { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
        { type: "m.space.parent", state_key: spaceId, content: { via, canonical: true } },
        { type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: spaceId }] } },
      ],
    });
    await sendStateAny(this.client, spaceId, "m.space.child", { via: [serverOf(room_id)] }, room_id);
    return room_id;
  }

  memberName(roomId: string, userId: string): string {
    return this.client.getRoom(roomId)?.getMember(userId)?.name ?? userId;
  }

  onChange(listener: (roomId: string) => void): () => void {
    return this.tree.onChange(listener);
  }

  private levels(room: Room | null): RoomPowerLevels {
    const create = room?.currentState.getStateEvents("m.room.create", "");
    const pl = room?.currentState.getStateEvents("m.room.power_levels", "")?.getContent();
    return parseRoomPowerLevels(pl ?? {}, create ? { sender: create.getSender() ?? "", content: create.getContent() } : undefined);
  }

  async snapshot(roomId: string): Promise<DossierSnapshot> {
    // Members are lazy-loaded (matrix-session.ts): an agent of a partner council who joins after
    // the files were sent would see their uploader as a bare id and miss them from the members.
    await this.client.getRoom(roomId)?.loadMembersIfNeeded().catch(() => undefined);
    const events = await this.tree.of(roomId);
    return buildDossier(foldFileTree({ events, levels: this.levels(this.client.getRoom(roomId)) }), events);
  }

  /** Sends, then keeps our own event at once (its remote echo would not come as a new timeline event). */
  private async send(roomId: string, type: string, content: Record<string, unknown>, txnId?: string): Promise<string> {
    const { event_id } = await sendAny(this.client, roomId, type, content, txnId);
    this.tree.sent(roomId, { event_id, type, sender: this.userId, origin_server_ts: Date.now(), content });
    return event_id;
  }

  async createFolder(roomId: string, name: string, parent: string | undefined): Promise<void> {
    await this.send(roomId, FOLDER_EVENT, buildFolderRoot({ name, ...(parent !== undefined ? { parent } : {}) }));
  }

  async change(roomId: string, entryId: string, change: EntryChange, txnId?: string): Promise<void> {
    const snap = await this.snapshot(roomId);
    if (!snap.entries.has(entryId)) throw new Error("unknown entry");
    await this.send(roomId, FILE_UPDATE, buildFileUpdate({ root: entryId, clock: nextClock(snap.maxClock), ...change }), txnId);
  }

  private pendingStore: PendingUploads | undefined;
  /** Interrupted uploads live in localStorage (none in Node without it: uploads then resume within the page only). */
  private pending(): PendingUploads | undefined {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (storage === undefined) return undefined;
    this.pendingStore ??= new PendingUploads(storage, this.userId);
    return this.pendingStore;
  }
  /** Records of uploads running in this page (not "interrupted"). */
  private readonly running = new Set<string>();

  upload(roomId: string, file: File, target: UploadTarget, largeFileThreshold: number, onProgress: (p: TransferProgress) => void): TransferHandle {
    let record: string | undefined;
    const pending = this.pending();
    if (file.size > largeFileThreshold && pending !== undefined) {
      record = crypto.randomUUID();
      pending.put({ id: record, roomId, parent: target.parent, versionOf: target.versionOf, name: file.name, size: file.size, threshold: largeFileThreshold, state: undefined, lastModified: file.lastModified });
    }
    return this.transfer(roomId, file, target, largeFileThreshold, onProgress, record);
  }

  interruptedUploads(roomId: string): InterruptedUpload[] {
    return (this.pending()?.forRoom(roomId) ?? []).filter((p) => !this.running.has(p.id)).map((p) => {
      const { done, total } = partsProgress(p);
      return { id: p.id, name: p.name, size: p.size, partsDone: done, partsTotal: total, ready: p.state?.manifest !== undefined, ...(p.versionOf !== undefined ? { versionOf: p.versionOf } : {}) };
    });
  }

  resumeUpload(id: string, file: File | undefined, onProgress: (p: TransferProgress) => void): TransferHandle {
    const p = this.pending()?.get(id);
    if (p === undefined) throw new Error("unknown upload");
    // Every part and the manifest went up before the reload: only the message is left to send, from the stored state.
    const uploaded = p.state === undefined ? undefined : uploadedResult(p.state);
    if (uploaded !== undefined) {
      return this.publish(p.roomId, { parent: p.parent, versionOf: p.versionOf }, id, false, () => {
        onProgress({ phase: "sending", sentBytes: p.size, totalBytes: p.size, bytesPerSecond: 0, remainingSeconds: 0 });
        return Promise.resolve({ content: uploaded.content });
      });
    }
    if (file === undefined) throw new NotSameFile();
    const verdict = resumeVerdict(p, file);
    if (verdict === "not-same-file") throw new NotSameFile();
    if (verdict === "changed") throw new FileChangedSinceUpload();
    // Same name and size is not enough: the first acknowledged part must encrypt again to the
    // ciphertext the server has (same-file.ts), or the parts of two files would be mixed.
    const state = p.state;
    const check = state === undefined ? undefined : async (): Promise<void> => {
      const verdict = await checkSameFile(state, file.size, (o, l) => file.slice(o, o + l).stream(), await loadWebBackend());
      if (verdict === "different-content" || verdict === "different-size") throw new NotSameFile();
    };
    return this.transfer(p.roomId, file, { parent: p.parent, versionOf: p.versionOf }, p.threshold, onProgress, id, check);
  }

  abandonUpload(id: string): void {
    this.pending()?.remove(id);
  }

  private transfer(roomId: string, file: File, target: UploadTarget, largeFileThreshold: number, onProgress: (p: TransferProgress) => void, record: string | undefined, check?: () => Promise<void>): TransferHandle {
    const store = record !== undefined ? this.pending()?.stateStore(record) : undefined;
    return this.publish(roomId, target, record, file.size > largeFileThreshold, async (signal, onControl) => {
      await check?.();
      return uploadDossierFile(this.media(), file, largeFileThreshold, signal, onProgress, onControl, store);
    });
  }

  /**
   * Runs `upload`, then sends its message (and the folder or version update). An upload in parts
   * keeps its record (and its state, manifest included) until the message and the update are sent:
   * a reload in between leaves it "interrupted" with only those to send (resumeUpload). Both go
   * with transaction ids derived from the record, so sending them again after a reload that lost
   * the server's answer (the event was stored) gives the same events, not a second file.
   */
  private publish(roomId: string, target: UploadTarget, record: string | undefined, pausable: boolean, upload: (signal: AbortSignal, onControl: (c: UploadControl) => void) => Promise<{ content: Record<string, unknown> }>): TransferHandle {
    const abort = new AbortController();
    let control: UploadControl | undefined;
    if (record !== undefined) this.running.add(record);
    const txn = (what: string): string | undefined => (record !== undefined ? `entente-upload-${record}-${what}` : undefined);
    const done = (async () => {
      try {
        const { content } = await upload(abort.signal, (c) => { control = c; });
        if (abort.signal.aborted) throw new TransferCancelled();
        const id = await this.send(roomId, "m.room.message", content, txn("message"));
        if (target.versionOf !== undefined) await this.change(roomId, target.versionOf, { addVersion: id }, txn("version"));
        else if (target.parent !== undefined) await this.change(roomId, id, { parent: target.parent }, txn("folder"));
        // the file is in the dossier, in its place: nothing to resume any more
        if (record !== undefined) this.pending()?.remove(record);
      } finally {
        if (record !== undefined) this.running.delete(record);
      }
    })();
    return { done, cancel: () => abort.abort(), pausable, pause: () => control?.pause(), resume: () => control?.resume() };
  }

  download(version: FileVersion, onProgress?: (received: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Blob> {
    return downloadDossierFile(this.media(), version, onProgress, signal);
  }

  save(version: FileVersion, name: string, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal, origin?: DownloadOrigin): Promise<{ saved: "picker" | "service-worker" | "blob" | "cancelled" }> {
    // first call, synchronous: the save dialog needs the click's user activation
    const run = saveDossierFile(this.media(), version, name, onProgress, signal ? { signal } : {});
    const pending = this.pendingDownloads();
    if (origin === undefined || pending === undefined) return run;
    return pending.track({ roomId: origin.roomId, entryId: origin.entryId, versionId: version.eventId, name, size: version.size }, run);
  }

  private pendingDownloadStore: PendingDownloads | undefined;
  private pendingDownloads(): PendingDownloads | undefined {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (storage === undefined) return undefined;
    this.pendingDownloadStore ??= new PendingDownloads(storage, this.userId);
    return this.pendingDownloadStore;
  }

  interruptedDownloads(roomId: string): InterruptedDownload[] {
    return (this.pendingDownloads()?.interrupted(roomId) ?? []).map(({ id, entryId, versionId, name, size, reason }) => ({ id, entryId, versionId, name, size, reason }));
  }

  forgetDownload(id: string): void {
    this.pendingDownloads()?.remove(id);
  }

  preview(version: FileVersion, signal?: AbortSignal): Promise<Blob | undefined> {
    return previewBlob(this.media(), version, undefined, signal);
  }

  locks(roomId: string, now: number): Map<string, FileLock> {
    return roomLocks(this.client, roomId, now);
  }

  mayLock(roomId: string): boolean {
    return mayLock(this.client, roomId);
  }

  lock(roomId: string, entryId: string, expiresAt: number): Promise<void> {
    return takeLock(this.client, roomId, entryId, expiresAt);
  }

  unlock(roomId: string, entryId: string): Promise<void> {
    return releaseLock(this.client, roomId, entryId);
  }

  mayChange(roomId: string): boolean {
    const state = this.client.getRoom(roomId)?.currentState;
    return state !== undefined && [FOLDER_EVENT, FILE_UPDATE, "m.room.message"].every((t) => state.maySendEvent(t, this.userId));
  }

  archiveLevel(roomId: string): { needed: number; mine: number } {
    const levels = this.levels(this.client.getRoom(roomId));
    return { needed: levels.redact, mine: userLevel(levels, this.userId) };
  }

  maxUploadSize(): Promise<number | undefined> {
    this.mediaConfig ??= this.client.getMediaConfig(true).then((c) => maxUploadSize(c), () => { this.mediaConfig = undefined; return undefined; });
    return this.mediaConfig;
  }

  async join(roomId: string): Promise<void> {
    await this.client.joinRoom(roomId);
  }

  invite(roomId: string, userId: string): Promise<void> {
    return inviteAcross(this.client, roomId, userId);
  }

  exportArchive(roomId: string, onProgress: (p: ArchiveProgress) => void): Promise<ArchiveResult> {
    return exportRoomArchive(this.client, roomId, onProgress);
  }

  members(roomId: string): DossierMember[] {
    return dossierMembers(this.client, roomId);
  }

  removeMember(roomId: string, userId: string): Promise<void> {
    return removeDossierMember(this.client, roomId, userId);
  }
}
