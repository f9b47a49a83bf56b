// Due-date groups (en retard, aujourd'hui, cette semaine, plus tard, sans échéance) in the agent's
// zone: the tasks bot's own rules (its daily digest and !mes-tâches use them), so the client and
// the bot place a task in the same group. Pure; relative path as in ./protocol.ts.
export * from "../../../../appservices/tasks/src/due-groups.ts";
