// Who besides a poll's creator may close it: MSC3381 accepts an end event from anyone allowed to
// redact others' messages (the same rule as matrix-js-sdk's Poll.validateEndEvent, used by Element).
import type { MatrixClient } from "matrix-js-sdk";
import type { PollEnders } from "./poll-model.ts";

export function pollEnders(client: MatrixClient, roomId: string): PollEnders {
  const state = client.getRoom(roomId)?.currentState;
  if (state === undefined) return () => false;
  return (userId) => {
    const member = state.getMember(userId);
    return member !== null && member.membership !== "leave" && state.hasSufficientPowerLevelFor("redact", member.powerLevel);
  };
}
