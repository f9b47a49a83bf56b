// The one place the client's dossier code reaches into @entente/protocol (file tree) and
// @entente/files (streamed attachment crypto, parts). Relative paths, as core/tasks/protocol.ts.
export { DOSSIER_ROOM_TYPE, FILE_MSGTYPES, FILE_UPDATE, FOLDER_EVENT, buildFileUpdate, buildFolderRoot } from "../../../../appservices/protocol/src/dossier/file-tree-events.ts";
export { foldFileTree, entryPath, type FileTreeResult, type TreeEntry } from "../../../../appservices/protocol/src/dossier/file-tree-fold.ts";
export { nextClock } from "../../../../appservices/protocol/src/room-events.ts";
export { parseRoomPowerLevels, userLevel, type RoomPowerLevels } from "../../../../appservices/protocol/src/power-levels.ts";
export { encryptingStream, decryptingStream } from "../../../../appservices/files/src/attachments/attachment-stream.ts";
export { loadWebBackend, UPLOAD_CTR_CHUNK, webBackend } from "../../../../appservices/files/src/attachments/web-backend.ts";
export { parseEncryptedFile, type EncryptedFile } from "../../../../appservices/files/src/attachments/encrypted-file.ts";
export { ChunkedUpload, UploadRelay, UploadStopped, uploadedResult } from "../../../../appservices/files/src/chunked/uploader.ts";
export { fetchTransport, type MediaTransport } from "../../../../appservices/files/src/chunked/media-transport.ts";
export { memoryStateStore } from "../../../../appservices/files/src/chunked/upload-state.ts";
export { checkSameFile } from "../../../../appservices/files/src/chunked/same-file.ts";
export { DownloadIntegrityError, downloadAttachment, downloadParts, type RetryInfo } from "../../../../appservices/files/src/chunked/downloader.ts";
export { PARTS_CONTENT_KEY } from "../../../../appservices/files/src/chunked/manifest.ts";
export { ProgressMeter, type UploadProgress } from "../../../../appservices/files/src/chunked/progress.ts";
export { FILE_LOCK_STATE, activeLock, buildFileLock, dossierPowerLevelEvents, type FileLock } from "../../../../appservices/protocol/src/dossier/file-tree-events.ts";
