// Words of citizen sharing in the dossier view, French first, in a table of their own beside
// dossier-messages.ts (which other work edits at the same time); same shape and same test.
import { tableTranslator, type TableTranslate } from "../../core/i18n/table-translator.ts";
import type { Locale } from "../../core/i18n/translator.ts";

const fr = {
  short_share: "Partager",
  share: "Partager {name} avec un citoyen",
  shareVersion: "Partager la version {n} de {name} avec un citoyen",
  title: "Partager « {name} » avec un citoyen",
  intro: "Le fichier est déchiffré sur cet appareil puis chiffré avec un mot de passe avant d'être envoyé au service de partage de votre collectivité, qui ne voit jamais son contenu.",
  expiry: "Lien valable jusqu'au",
  maxDownloads: "Nombre de téléchargements autorisés",
  create: "Créer le lien",
  close: "Fermer",
  noService: "Aucun service de partage n'est configuré pour votre collectivité.",
  decrypting: "Déchiffrement du fichier…",
  encrypting: "Chiffrement avec le mot de passe…",
  uploading: "Envoi au service de partage : {percent} %",
  progress: "Progression du partage",
  done: "Lien créé. Le mot de passe n'est affiché qu'une fois.",
  link: "Lien à envoyer",
  password: "Mot de passe",
  copyLink: "Copier le lien",
  copyPassword: "Copier le mot de passe",
  copied: "Copié.",
  advice: "Envoyez le mot de passe par un autre moyen que le lien (SMS, téléphone) : quelqu'un qui intercepte l'un ne peut rien faire sans l'autre.",
  failed: "Le partage a échoué : {error}",
  sharesOf: "Partages de {name}",
  noShares: "Aucun partage de ce fichier.",
  colCreated: "Créé le",
  colExpires: "Expire le",
  colDownloads: "Téléchargements",
  colState: "État",
  colLog: "Accès",
  colActions: "Actions",
  state_active: "actif",
  state_revoked: "révoqué",
  state_expired: "expiré",
  state_exhausted: "épuisé",
  downloads: "{n} sur {max}",
  logCount: "{n} accès",
  action_page: "page ouverte",
  action_key: "mot de passe essayé",
  action_download: "téléchargé",
  action_refused: "refusé",
  reason_revoked: "révoqué",
  reason_expired: "expiré",
  reason_exhausted: "limite atteinte",
  revoke: "Révoquer",
  revokeLabel: "Révoquer le lien créé le {date}",
  revoked: "Lien révoqué.",
} as const;

export type ShareMessageKey = keyof typeof fr;

const en: Record<ShareMessageKey, string> = {
  short_share: "Share",
  share: "Share {name} with a citizen",
  shareVersion: "Share version {n} of {name} with a citizen",
  title: "Share “{name}” with a citizen",
  intro: "The file is decrypted on this device, then encrypted with a password before it goes to your council's share service, which never sees its contents.",
  expiry: "Link valid until",
  maxDownloads: "Downloads allowed",
  create: "Create the link",
  close: "Close",
  noService: "No share service is configured for your council.",
  decrypting: "Decrypting the file…",
  encrypting: "Encrypting with the password…",
  uploading: "Uploading to the share service: {percent} %",
  progress: "Sharing progress",
  done: "Link created. The password is shown only once.",
  link: "Link to send",
  password: "Password",
  copyLink: "Copy the link",
  copyPassword: "Copy the password",
  copied: "Copied.",
  advice: "Send the password by another channel than the link (text message, phone): whoever intercepts one can do nothing without the other.",
  failed: "Sharing failed: {error}",
  sharesOf: "Shares of {name}",
  noShares: "This file has not been shared.",
  colCreated: "Created",
  colExpires: "Expires",
  colDownloads: "Downloads",
  colState: "State",
  colLog: "Access",
  colActions: "Actions",
  state_active: "active",
  state_revoked: "revoked",
  state_expired: "expired",
  state_exhausted: "used up",
  downloads: "{n} of {max}",
  logCount: "{n} access(es)",
  action_page: "page opened",
  action_key: "password tried",
  action_download: "downloaded",
  action_refused: "refused",
  reason_revoked: "revoked",
  reason_expired: "expired",
  reason_exhausted: "limit reached",
  revoke: "Revoke",
  revokeLabel: "Revoke the link created on {date}",
  revoked: "Link revoked.",
};

export type ShareTranslate = TableTranslate<ShareMessageKey>;

/** The page's language (the shell keeps <html lang> in step with the agent's choice). */
export const pageLocale = (): Locale => (document.documentElement.lang === "en" ? "en" : "fr");

export function shareTranslator(locale: Locale = pageLocale()): ShareTranslate {
  return tableTranslator({ fr, en }, locale);
}

export const shareTables = { fr, en } as const;
