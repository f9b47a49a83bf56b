// The kit's own words, French first. Widgets bring their own tables the same way.
import type { WidgetLanguage } from "./widget-params.ts";

const fr = {
  outsideTitle: "Ce widget s'ouvre dans un salon",
  outsideBody: "Cette page est un widget Matrix : elle fonctionne à l'intérieur d'un client Matrix (Entente, Element...), ajoutée à un salon. Ouverte seule, elle ne peut rien afficher.",
  outsideHint: "Retournez dans votre salon et ouvrez le widget depuis le panneau des widgets.",
  failedTitle: "Le widget n'a pas pu se connecter au client",
  loading: "Connexion au client Matrix…",
};

export type KitMessages = typeof fr;

const en: KitMessages = {
  outsideTitle: "This widget opens inside a room",
  outsideBody: "This page is a Matrix widget: it works inside a Matrix client (Entente, Element...), added to a room. Opened on its own, it has nothing to show.",
  outsideHint: "Go back to your room and open the widget from the widgets panel.",
  failedTitle: "The widget could not connect to the client",
  loading: "Connecting to the Matrix client…",
};

export function kitMessages(lang: WidgetLanguage): KitMessages {
  return lang === "en" ? en : fr;
}
