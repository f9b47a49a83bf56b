// Which plain sentence describes reading or sending each known event (keys from sentenceKey() in
// capability-labels.ts: "state:<type>", "event:<type>", "message:<msgtype>", "message" for every
// m.room.message). Entente's own types come from the protocol, so a renamed type cannot drift.
import type { MessageKey } from "../i18n/messages-fr.ts";
import { OBJECTIVE_CHECKIN, OBJECTIVE_MSGTYPE, OBJECTIVE_UPDATE, OBJECTIVES_STATE, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE } from "../../../../appservices/protocol/src/event-types.ts";
import { CALENDAR_STATE, EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE } from "../../../../appservices/protocol/src/calendar/calendar-event-types.ts";

export interface Sentences { read: MessageKey; send?: MessageKey }

export const CAPABILITY_SENTENCES: Readonly<Record<string, Sentences>> = {
  [`state:${TASKS_STATE}`]: { read: "capReadTaskList" },
  [`message:${TASK_MSGTYPE}`]: { read: "capReadTasks", send: "capSendTasks" },
  [`event:${TASK_UPDATE}`]: { read: "capReadTaskUpdates", send: "capSendTaskUpdates" },
  [`state:${OBJECTIVES_STATE}`]: { read: "capReadObjectiveList" },
  [`message:${OBJECTIVE_MSGTYPE}`]: { read: "capReadObjectives", send: "capSendObjectives" },
  [`event:${OBJECTIVE_UPDATE}`]: { read: "capReadObjectiveUpdates", send: "capSendObjectiveUpdates" },
  [`event:${OBJECTIVE_CHECKIN}`]: { read: "capReadCheckins", send: "capSendCheckins" },
  [`state:${CALENDAR_STATE}`]: { read: "capReadCalendar" },
  [`message:${EVENT_MSGTYPE}`]: { read: "capReadCalEvents", send: "capSendCalEvents" },
  [`event:${EVENT_UPDATE}`]: { read: "capReadCalUpdates", send: "capSendCalUpdates" },
  [`event:${EVENT_RSVP}`]: { read: "capReadRsvp", send: "capSendRsvp" },
  "message:m.text": { read: "capReadText", send: "capSendText" },
  "message:m.notice": { read: "capReadNotices", send: "capSendNotices" },
  "message:m.image": { read: "capReadImages", send: "capSendImages" },
  "message:m.file": { read: "capReadFiles", send: "capSendFiles" },
  message: { read: "capReadAllMessages", send: "capSendAllMessages" },
  "event:m.room.redaction": { read: "capReadRedactions", send: "capSendRedactions" },
  "event:m.reaction": { read: "capReadReactions", send: "capSendReactions" },
  "state:m.room.member": { read: "capReadMembers", send: "capSendMembers" },
  "state:m.room.power_levels": { read: "capReadPowerLevels", send: "capSendPowerLevels" },
  "state:m.room.create": { read: "capReadCreate" },
  "state:m.room.name": { read: "capReadRoomName", send: "capSendRoomName" },
  "state:m.room.topic": { read: "capReadRoomTopic", send: "capSendRoomTopic" },
  "state:im.vector.modular.widgets": { read: "capReadRoomWidgets", send: "capSendRoomWidgets" },
};
