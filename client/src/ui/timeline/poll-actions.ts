// Closing a poll (what <ent-poll>'s "poll-close" asks): the end event as Element sends it, with a
// closing text in the agent's language naming the leading answer(s) (the fallback other clients show).
import type { ChatSession } from "../../core/chat-port.ts";
import type { Translate } from "../../core/i18n/translator.ts";
import { leadingAnswers, pollEndContent, POLL_END } from "../../core/poll-model.ts";
import type { PollCloseRequest } from "./poll-card.ts";

export async function closePoll(s: ChatSession, roomId: string, req: PollCloseRequest, t: Translate): Promise<void> {
  const top = leadingAnswers(req.poll);
  const text = top.length === 0 ? t("pollEndNoVotes") : t("pollEndTop", { answer: top.join(", ") });
  await s.send(roomId, POLL_END, pollEndContent(req.pollId, text));
}
