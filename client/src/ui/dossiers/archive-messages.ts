// Words of the archive export and of a dossier's members panel, French first, English typed
// against the French keys (as dossier-messages.ts; kept apart so this work touches no shared table).
import { tableTranslator, type TableTranslate } from "../../core/i18n/table-translator.ts";
import type { Locale } from "../../core/i18n/translator.ts";

const fr = {
  archiveTitle: "Archivage",
  exportArchive: "Exporter pour archivage",
  exportHelp: "Messages, fichiers et métadonnées déchiffrés sur cet appareil, avec l'empreinte SHA-256 de chaque élément, signés par la clé d'archivage de la collectivité et chiffrés pour l'archiviste (lisible avec GnuPG).",
  phase_reading: "Lecture des messages…",
  phase_files: "Fichiers : {done} sur {total}",
  phase_signing: "Signature par la collectivité…",
  phase_encrypting: "Chiffrement pour l'archiviste…",
  exportProgress: "Progression de l'export pour archivage",
  exported: "Archive {file} prête : {items} éléments, signée par la collectivité (clé {signedBy}), chiffrée pour l'archiviste (clé {encryptedFor}).",
  exportedMissing: "{missing, plural, one {# fichier n'a pas pu être lu : il est listé} other {# fichiers n'ont pas pu être lus : ils sont listés}} dans le manifeste.",
  exportFailed: "L'export pour archivage a échoué : {error}",
  notConfigured: "L'archivage n'est pas configuré pour votre collectivité (pas de service d'archivage).",
  forbidden: "Seuls les modérateurs du dossier peuvent l'exporter pour archivage.",
  needsModerator: "Réservé aux modérateurs de ce dossier (niveau {needed} ; le vôtre : {mine}) : demandez à l'un d'eux de faire l'export, ou de vous donner ce rôle.",
  membersTitle: "Membres du dossier",
  memberInvited: "{name} (invitation en attente)",
  removeMember: "Retirer {name} du dossier",
  short_remove: "Retirer",
  confirmRemoveTitle: "Retirer {name} du dossier ?",
  keepsOldFiles: "Les fichiers déposés avant son départ restent lisibles par cette personne.",
  newKeyNote: "Les prochains messages et fichiers seront chiffrés avec une nouvelle clé, qu'elle n'aura pas.",
  confirmRemove: "Retirer",
  cancel: "Annuler",
  removed: "{name} a été retiré du dossier. Les fichiers déposés avant son départ restent lisibles par cette personne.",
  removeFailed: "Le retrait a échoué : {error}",
} as const;

export type ArchiveMessageKey = keyof typeof fr;

const en: Record<ArchiveMessageKey, string> = {
  archiveTitle: "Archiving",
  exportArchive: "Export for archiving",
  exportHelp: "Messages, files and metadata decrypted on this device, with the SHA-256 of every item, signed with the council's archive key and encrypted for the archivist (readable with GnuPG).",
  phase_reading: "Reading the messages…",
  phase_files: "Files: {done} of {total}",
  phase_signing: "Signing by the council…",
  phase_encrypting: "Encrypting for the archivist…",
  exportProgress: "Progress of the export for archiving",
  exported: "Archive {file} ready: {items} items, signed by the council (key {signedBy}), encrypted for the archivist (key {encryptedFor}).",
  exportedMissing: "{missing, plural, one {# file could not be read: it is listed} other {# files could not be read: they are listed}} in the manifest.",
  exportFailed: "The export for archiving failed: {error}",
  notConfigured: "Archiving is not set up for your council (no archive service).",
  forbidden: "Only the dossier's moderators can export it for archiving.",
  needsModerator: "For this dossier's moderators only (level {needed}; yours: {mine}): ask one of them to export it, or to give you that role.",
  membersTitle: "Members of the dossier",
  memberInvited: "{name} (invitation pending)",
  removeMember: "Remove {name} from the dossier",
  short_remove: "Remove",
  confirmRemoveTitle: "Remove {name} from the dossier?",
  keepsOldFiles: "Files uploaded before they leave remain readable by this person.",
  newKeyNote: "The next messages and files will be encrypted with a new key, which they will not have.",
  confirmRemove: "Remove",
  cancel: "Cancel",
  removed: "{name} was removed from the dossier. Files uploaded before they left remain readable by this person.",
  removeFailed: "The removal failed: {error}",
};

export type ArchiveTranslate = TableTranslate<ArchiveMessageKey>;

export function archiveTranslator(locale: Locale): ArchiveTranslate {
  return tableTranslator({ fr, en }, locale);
}

/** Both tables, for the test that every French text has an English one with the same placeholders. */
export const archiveTables = { fr, en } as const;
