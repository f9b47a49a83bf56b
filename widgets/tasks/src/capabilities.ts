// Exactly what the board asks the client for (widget API capabilities, MSC2762 strings built by
// matrix-widget-api): read the list's configuration and the levels the fold judges by, read and
// write task roots, updates and the tasks' threads, see redactions. Nothing else: no other
// message types, no state writes, no other rooms, no OpenID.
import { EventDirection, WidgetEventCapability, type Capability } from "matrix-widget-api";
import { ROOM_POWER_LEVELS, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE, TASKS_STATE } from "../../../appservices/protocol/src/event-types.ts";

export const ROOM_MEMBER = "m.room.member";
const { Send, Receive } = EventDirection;
const state = (type: string): Capability => WidgetEventCapability.forStateEvent(Receive, type, "").raw;
const msg = (dir: EventDirection, msgtype: string): Capability => WidgetEventCapability.forRoomMessageEvent(dir, msgtype).raw;
const ev = (dir: EventDirection, type: string): Capability => WidgetEventCapability.forRoomEvent(dir, type).raw;

export const TASK_BOARD_CAPABILITIES: readonly Capability[] = [
  state(TASKS_STATE),
  state(ROOM_POWER_LEVELS),
  state("m.room.create"),
  msg(Receive, TASK_MSGTYPE),
  msg(Send, TASK_MSGTYPE),
  ev(Receive, TASK_UPDATE),
  ev(Send, TASK_UPDATE),
  // Comments are the task's thread: agents write text, the tasks bot answers with notices.
  msg(Receive, "m.text"),
  msg(Send, "m.text"),
  msg(Receive, "m.notice"),
  ev(Receive, ROOM_REDACTION),
  // The assignee picker lists the room's joined members (any state key: every member).
  WidgetEventCapability.forStateEvent(Receive, ROOM_MEMBER).raw,
];
// Not asked: every message of the room (m.room.message without msgtype), state writes (setting up
// the list is the tasks bot's job), other rooms, OpenID.
