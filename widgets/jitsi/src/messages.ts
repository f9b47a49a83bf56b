// The wrapper's words, French first.
const fr = {
  refusedTitle: "Réunion refusée",
  refusedBody: (d: string) => `Le domaine ${d} ne figure pas parmi les serveurs de visioconférence autorisés par votre collectivité. Aucun code n'a été chargé depuis ce domaine.`,
  invalidTitle: "Réunion illisible",
  configError: "La configuration des widgets (config.json) est illisible.",
  join: "Rejoindre la réunion",
  audioOnly: "audio seulement",
  hangUp: "Raccrocher",
  shareScreen: "Partager l'écran",
  participants: "Participants",
  ended: "Vous avez quitté la réunion.",
  loadFailed: "Le serveur de visioconférence ne répond pas.",
};
export type JitsiMessages = typeof fr;
const en: JitsiMessages = {
  refusedTitle: "Meeting refused",
  refusedBody: (d: string) => `The domain ${d} is not one of the video conference servers your council allows. No code was loaded from it.`,
  invalidTitle: "Unreadable meeting",
  configError: "The widgets configuration (config.json) is unreadable.",
  join: "Join the meeting",
  audioOnly: "audio only",
  hangUp: "Hang up",
  shareScreen: "Share screen",
  participants: "Participants",
  ended: "You left the meeting.",
  loadFailed: "The video conference server does not answer.",
};
export const jitsiMessages = (lang: "fr" | "en"): JitsiMessages => (lang === "en" ? en : fr);
