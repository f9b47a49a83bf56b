// Outgoing event contents, shaped as the spec and Element expect: Markdown rendered to
// formatted_body only when it adds formatting, replies with m.in_reply_to and m.mentions (no
// fallback: removed from the spec in v1.13), edits with m.new_content, reactions as annotations.
import { marked } from "marked";
import { mentionedUserIds, withPlainMentions } from "./mentions.ts";

export type Content = Record<string, unknown>;

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** HTML for a Markdown text, or undefined when it is plain text (then no formatted_body is sent). */
export function markdownToHtml(text: string): string | undefined {
  const html = (marked.parse(text, { async: false, gfm: true, breaks: true }) as string).trim();
  const plain = `<p>${escapeHtml(text).replace(/\n/g, "<br>")}</p>`;
  return html === plain || html === `<p>${escapeHtml(text)}</p>` ? undefined : html;
}

/** A text message; people mentioned with a matrix.to link are listed in m.mentions (they get notified). */
export function textContent(text: string): Content {
  const html = markdownToHtml(text);
  const users = mentionedUserIds(text);
  const mentions: Content = users.length > 0 ? { "m.mentions": { user_ids: users } } : {};
  const body = withPlainMentions(text);
  return html === undefined ? { msgtype: "m.text", body, ...mentions } : { msgtype: "m.text", body, format: "org.matrix.custom.html", formatted_body: html, ...mentions };
}

export function replyContent(text: string, to: { eventId: string; sender: string }, threadRoot?: string): Content {
  const relates: Content = { "m.in_reply_to": { event_id: to.eventId } };
  if (threadRoot !== undefined) Object.assign(relates, { rel_type: "m.thread", event_id: threadRoot, is_falling_back: false });
  const users = new Set([to.sender, ...mentionedUserIds(text)]);
  return { ...textContent(text), "m.relates_to": relates, "m.mentions": { user_ids: [...users] } };
}

/** A reply in a thread that is not a reply to a given message (falls back to the thread's last event). */
export function threadContent(text: string, root: string, lastInThread: string): Content {
  return { ...textContent(text), "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: lastInThread } } };
}

export function editContent(originalId: string, text: string): Content {
  const next = textContent(text);
  const fallback: Content = { ...next, body: `* ${text}` };
  if (typeof next["formatted_body"] === "string") fallback["formatted_body"] = `* ${next["formatted_body"]}`;
  return { ...fallback, "m.new_content": next, "m.relates_to": { rel_type: "m.replace", event_id: originalId } };
}

export const reactionContent = (eventId: string, key: string): Content => ({ "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });

export interface UploadedFile {
  name: string; mimetype: string; size: number;
  /** An image's size in pixels: receivers reserve the preview's space with it (info.w/h). */
  w?: number | undefined; h?: number | undefined;
}

/** m.file / m.image content; `file` is the EncryptedFile of an encrypted room, else `url` is used. */
export function fileContent(f: UploadedFile, where: { url: string } | { file: Content }): Content {
  const msgtype = f.mimetype.startsWith("image/") ? "m.image" : "m.file";
  const dims = f.w !== undefined && f.h !== undefined ? { w: f.w, h: f.h } : {};
  return { msgtype, body: f.name, filename: f.name, info: { mimetype: f.mimetype, size: f.size, ...dims }, ...where };
}
