// PUT /sendToDevice/{eventType}/{txnId}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#put_matrixclientv3sendtodeviceeventtypetxnid
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject } from "../json.ts";
import { checkIdentifier, param } from "../account/common.ts";
import { parseToDeviceMessages } from "../../e2ee/to-device.ts";

export const sendToDeviceHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const type = checkIdentifier(param(ctx, "eventType"), "event type");
  const txnId = checkIdentifier(param(ctx, "txnId"), "transaction id");
  const messages = parseToDeviceMessages(bodyObject(ctx.body)["messages"]);
  await s.e2ee.toDevice.send({ userId: me.userId, deviceId: me.deviceId }, txnId, type, messages);
  return { json: {} };
};
