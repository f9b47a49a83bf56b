// Carries out what <ent-room-settings> asks, through the session; returns what the panel shows next.
import type { ChatSession } from "../../core/chat-port.ts";
import { errorKind } from "../../core/error-kind.ts";
import type { I18n } from "../shared/i18n-context.ts";
import type { SettingsRequest } from "./room-settings-view.ts";

export type SettingsOutcome = { kind: "notice"; text: string } | { kind: "close" } | { kind: "left" };

export async function applySettingsRequest(s: ChatSession, roomId: string, req: SettingsRequest, { t }: I18n): Promise<SettingsOutcome> {
  try {
    switch (req.kind) {
      case "close":
        return { kind: "close" };
      case "leave":
        await s.leave(roomId);
        return { kind: "left" };
      case "invite":
        await s.invite(roomId, req.userId);
        return { kind: "notice", text: t("invited") };
      case "join-rule":
        await s.setJoinRule(roomId, req.rule);
        return { kind: "notice", text: t("saved") };
      case "role":
        await s.setPowerLevel(roomId, req.userId, req.level);
        return { kind: "notice", text: t("saved") };
      case "profile":
        await s.setRoomProfile(roomId, { name: req.name, topic: req.topic });
        return { kind: "notice", text: t("saved") };
      case "avatar":
        await s.setRoomAvatar(roomId, req.file);
        return { kind: "notice", text: t("saved") };
      case "moderate":
        await s.moderate(roomId, req.action);
        return { kind: "notice", text: t(req.action.kind === "kick" ? "memberRemoved" : req.action.kind === "ban" ? "memberBanned" : "memberUnbanned") };
    }
  } catch (e: unknown) {
    const kind = errorKind(e, navigator.onLine);
    if (kind === "forbidden") return { kind: "notice", text: t("notAllowed") };
    if (kind === "offline" || kind === "unreachable") return { kind: "notice", text: t("serverUnreachable") };
    return { kind: "notice", text: e instanceof Error ? e.message : String(e) };
  }
}
