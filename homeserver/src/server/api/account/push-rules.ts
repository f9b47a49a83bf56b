// GET /pushrules/, GET /pushrules/global/, GET|PUT|DELETE /pushrules/global/{kind}/{ruleId},
// GET|PUT /pushrules/global/{kind}/{ruleId}/enabled, GET|PUT /pushrules/global/{kind}/{ruleId}/actions
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-rules-api
// Rules are kept in the m.push_rules account data (see users/push-ruleset.ts), which also makes
// every change reach the user's other clients through /sync.
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { MatrixError, badJson, notFound } from "../../../spec/matrix-error.ts";
import { bodyObject } from "../json.ts";
import type { PushKind, PushRuleset } from "../../users/default-push-rules.ts";
import {
  deleteUserRule, effectiveRuleset, findRule, isPushKind, parseActions, pushRulesContent, putUserRule, updateRule, userRuleFromBody,
} from "../../users/push-ruleset.ts";
import { param, type AccountServices } from "./common.ts";

async function load(s: ServerContext, userId: string): Promise<PushRuleset> {
  return effectiveRuleset(userId, await s.stores.streams.getAccountData(userId, "", "m.push_rules"));
}

/** Read-modify-write of the ruleset, one at a time per user. */
async function change(s: ServerContext, svc: AccountServices, userId: string, edit: (rs: PushRuleset) => PushRuleset): Promise<void> {
  await svc.lock.run(`push_rules|${userId}`, async () => {
    const next = edit(await load(s, userId));
    await s.stores.streams.putAccountData(userId, "", "m.push_rules", pushRulesContent(next));
  });
  s.notifier.notifyUsers([userId]);
}

function kindParam(ctx: RequestContext): PushKind {
  const kind = param(ctx, "kind");
  if (!isPushKind(kind)) throw new MatrixError("M_INVALID_PARAM", 400, `Unknown push rule kind '${kind}'`);
  return kind;
}

export const getAllRulesHandler = (s: ServerContext, globalOnly: boolean): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const rs = await load(s, me.userId);
  return { json: globalOnly ? rs : { global: rs } };
};

export const getRuleHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const rule = findRule(await load(s, me.userId), kindParam(ctx), param(ctx, "ruleId"));
  if (!rule) throw notFound("The push rule was not found");
  return { json: rule };
};

function queryRuleId(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.query.get(name);
  return v === null || v === "" ? undefined : v;
}

export const putRuleHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const kind = kindParam(ctx);
  const rule = userRuleFromBody(kind, param(ctx, "ruleId"), bodyObject(ctx.body));
  const before = queryRuleId(ctx, "before");
  const after = queryRuleId(ctx, "after");
  await change(s, svc, me.userId, (rs) => putUserRule(rs, kind, rule, { ...(before !== undefined && { before }), ...(after !== undefined && { after }) }));
  return { json: {} };
};

export const deleteRuleHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const kind = kindParam(ctx);
  const ruleId = param(ctx, "ruleId");
  await change(s, svc, me.userId, (rs) => deleteUserRule(rs, kind, ruleId));
  return { json: {} };
};

export const getRuleAttrHandler = (s: ServerContext, attr: "enabled" | "actions"): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const rule = findRule(await load(s, me.userId), kindParam(ctx), param(ctx, "ruleId"));
  if (!rule) throw notFound("The push rule was not found");
  return { json: attr === "enabled" ? { enabled: rule.enabled } : { actions: rule.actions } };
};

export const putRuleAttrHandler = (s: ServerContext, svc: AccountServices, attr: "enabled" | "actions"): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const kind = kindParam(ctx);
  const ruleId = param(ctx, "ruleId");
  const b = bodyObject(ctx.body);
  let update: { enabled: boolean } | { actions: ReturnType<typeof parseActions> };
  if (attr === "enabled") {
    if (typeof b["enabled"] !== "boolean") throw badJson("'enabled' must be a boolean");
    update = { enabled: b["enabled"] };
  } else {
    update = { actions: parseActions(b["actions"]) };
  }
  await change(s, svc, me.userId, (rs) => updateRule(rs, kind, ruleId, update));
  return { json: {} };
};
