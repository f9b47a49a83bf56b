// POST /keys/device_signing/upload, POST /keys/signatures/upload
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3keysdevice_signingupload
//       https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3keyssignaturesupload
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { invalidParam } from "../../../spec/matrix-error.ts";
import { bodyObject } from "../json.ts";
import { PASSWORD_FLOWS } from "../../users/uia.ts";
import { requireUia, type AccountServices } from "../account/common.ts";

const MAX_SIGNED_OBJECTS = 1000;

export const uploadCrossSigningKeysHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  await s.e2ee.crossSigning.upload(me.userId, b, () => requireUia(svc, me, b, "POST /keys/device_signing/upload", PASSWORD_FLOWS));
  return { json: {} };
};

export const uploadSignaturesHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const count = Object.values(b).reduce<number>((n, v) => n + (typeof v === "object" && v !== null ? Object.keys(v).length : 1), 0);
  if (count > MAX_SIGNED_OBJECTS) throw invalidParam(`Too many signed objects (at most ${MAX_SIGNED_OBJECTS})`);
  return { json: await s.e2ee.crossSigning.uploadSignatures(me.userId, b) };
};
