// @entente/protocol: tasks and objectives as room events (docs/tasks-protocol.md). Pure, no I/O.
export * from "./event-types.ts";
export * from "./parse.ts";
export * from "./dates.ts";
export * from "./power-levels.ts";
export * from "./room-events.ts";
export * from "./anchors.ts";
export * from "./tasks-state.ts";
export * from "./objectives-state.ts";
export * from "./task-fields.ts";
export * from "./task-root.ts";
export * from "./task-update.ts";
export * from "./task-fold.ts";
export * from "./objective-root.ts";
export * from "./objective-update.ts";
export * from "./objective-fold.ts";
export * from "./objective-progress.ts";
export * from "./service-members.ts";
