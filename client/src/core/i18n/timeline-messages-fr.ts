// The timeline's and thread panel's words, French source. Spread into messages-fr.ts; the English
// table (timeline-messages-en.ts) is checked key by key by the compiler and the i18n unit test.
export const timelineMessagesFr = {
  roomStart: "Début du salon",
  threadOne: "1 réponse",
  threadMany: "{count} réponses",
  threadLast: "Dernière réponse de {name} : {body}",
  openThread: "Ouvrir le fil",
  startThread: "Démarrer un fil",
  threadTitle: "Fil de discussion",
  threadClose: "Fermer le fil",
  threadComposer: "Répondre dans le fil",
  threadLoading: "Chargement du fil…",
  threadNotFound: "Ce message n'est pas encore chargé.",
  goToMessage: "Aller au message cité",
  reactionLabel: "{key} : {count, plural, one {# réaction} other {# réactions}}, de {names}",
  reactionYou: "vous",
  reactionOthers: "{count, plural, one {# autre personne} other {# autres personnes}}",
} as const;
