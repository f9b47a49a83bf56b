import type { timelineMessagesFr } from "./timeline-messages-fr.ts";

export const timelineMessagesEn: Record<keyof typeof timelineMessagesFr, string> = {
  roomStart: "Start of the room",
  threadOne: "1 reply",
  threadMany: "{count} replies",
  threadLast: "Last reply from {name}: {body}",
  openThread: "Open the thread",
  startThread: "Start a thread",
  threadTitle: "Thread",
  threadClose: "Close the thread",
  threadComposer: "Reply in the thread",
  threadLoading: "Loading the thread…",
  threadNotFound: "This message is not loaded yet.",
  goToMessage: "Go to the quoted message",
  reactionLabel: "{key}: {count, plural, one {# reaction} other {# reactions}}, from {names}",
  reactionYou: "you",
  reactionOthers: "{count, plural, one {# other person} other {# other people}}",
};
