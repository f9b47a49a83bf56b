// Answers <ent-image>'s "media-request" through the session: a preview of a plain image from the
// server's scaled thumbnail (falling back to the whole file), anything else downloaded (and
// decrypted when encrypted) by the session.
import type { ChatSession } from "../../core/chat-port.ts";
import type { MediaRequest } from "./image-preview.ts";

/** The preview's size asked of the server: twice the 320×240 box, for high-density screens. */
const PREVIEW = { width: 640, height: 480 };

export function answerMediaRequest(s: ChatSession, r: MediaRequest): Promise<Blob> {
  if (r.preview && r.file.encrypted === undefined && s.imageThumbnail !== undefined) {
    return s.imageThumbnail(r.file.url, PREVIEW.width, PREVIEW.height).catch(() => s.download(r.file));
  }
  return s.download(r.file);
}
