// The tasks bot's commands, French and English (parsing: @entente/appservice-kit/commands.ts).
import type { CommandSpec } from "../../kit/src/commands.ts";

export type TasksCommand = "task" | "list" | "done" | "mine" | "digest" | "setup" | "help";

export const TASKS_COMMANDS: readonly CommandSpec<TasksCommand>[] = [
  { name: "task", words: ["tâche", "task"], help: { fr: "crée une tâche : !tâche Préparer le budget @bob:agglo-b pour le 15/01 à 18h", en: "creates a task" } },
  { name: "list", words: ["tâches", "tasks"], help: { fr: "liste les tâches ouvertes", en: "lists open tasks" } },
  { name: "done", words: ["fait", "done"], help: { fr: "marque une tâche faite : !fait 2, ou !fait dans le fil de la tâche", en: "marks a task done: !done 2, or !done in the task's thread" } },
  { name: "mine", words: ["mes-tâches", "my-tasks"], help: { fr: "vos tâches ouvertes, par échéance (tous vos salons en conversation privée avec moi)", en: "your open tasks by due date (all rooms in a private chat with me)" } },
  { name: "digest", words: ["résumé", "digest"], help: { fr: "!résumé activer / désactiver : vos tâches en retard et du jour chaque matin à 08:00, en message privé", en: "!digest on / off: overdue and today's tasks every morning at 08:00 by direct message" } },
  { name: "setup", words: ["installer", "setup"], help: { fr: "installe la liste de tâches du salon", en: "sets up the room's task list" } },
  { name: "help", words: ["aide", "help"], help: { fr: "cette aide", en: "this help" } },
];
