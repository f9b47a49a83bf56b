// Capability strings, built by matrix-widget-api so they match what every client parses
// (`org.matrix.msc2762.send.event:<type>`, `...receive.state_event:<type>#<state_key>`, ...).
import { EventDirection, MatrixCapabilities, WidgetEventCapability, type Capability } from "matrix-widget-api";
import type { EventSchema } from "./typed-events.ts";

export const sendEventCapability = <T>(s: EventSchema<T>): Capability =>
  s.msgtype !== undefined
    ? WidgetEventCapability.forRoomMessageEvent(EventDirection.Send, s.msgtype).raw
    : WidgetEventCapability.forRoomEvent(EventDirection.Send, s.type).raw;

export const receiveEventCapability = <T>(s: EventSchema<T>): Capability =>
  s.msgtype !== undefined
    ? WidgetEventCapability.forRoomMessageEvent(EventDirection.Receive, s.msgtype).raw
    : WidgetEventCapability.forRoomEvent(EventDirection.Receive, s.type).raw;

export const sendStateCapability = <T>(s: EventSchema<T>, stateKey?: string): Capability =>
  WidgetEventCapability.forStateEvent(EventDirection.Send, s.type, stateKey).raw;

export const receiveStateCapability = <T>(s: EventSchema<T>, stateKey?: string): Capability =>
  WidgetEventCapability.forStateEvent(EventDirection.Receive, s.type, stateKey).raw;

export const ALWAYS_ON_SCREEN: Capability = MatrixCapabilities.AlwaysOnScreen;
export const SCREENSHOTS: Capability = MatrixCapabilities.Screenshots;
