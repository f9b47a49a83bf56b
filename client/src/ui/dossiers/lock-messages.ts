// Words of the dossier's advisory locks ("en cours de modification par …"), French first, English
// typed against the French keys (own table, as archive-messages.ts), and the lock's end as words.
import { tableTranslator, type TableTranslate } from "../../core/i18n/table-translator.ts";
import type { Locale } from "../../core/i18n/translator.ts";

const fr = {
  lockedBy: "En cours de modification par {who} jusqu'à {until}",
  lockedByMe: "En cours de modification par vous jusqu'à {until}",
  takeLock: "Signaler que je le modifie : {name}",
  short_takeLock: "Signaler que je le modifie",
  lockDuration: "Durée du signalement pour {name}",
  short_confirmLock: "Signaler",
  duration_1h: "1 heure",
  duration_4h: "4 heures",
  duration_24h: "Jusqu'à demain (24 heures)",
  cancelLock: "Annuler le signalement de {name}",
  cancel: "Annuler",
  release: "Libérer {name}",
  short_release: "Libérer",
  lockTaken: "{name} : signalé comme en cours de modification par vous jusqu'à {until}.",
  released: "{name} est libéré.",
  lockFailed: "Le signalement a échoué : {error}",
  lockedByOther: "{name} est déjà en cours de modification par {who}.",
  mayNotLock: "Les droits de ce dossier ne permettent pas aux membres de signaler une modification : un administrateur du dossier doit autoriser l'événement fr.entente.file.lock.",
  versionWhileLocked: "Nouvelle version de {name} envoyée. Vous l'aviez signalé comme en cours de modification jusqu'à {until} : le libérer ?",
  keepLock: "Garder le signalement de {name}",
  offerGroup: "Libérer {name} ?",
  releaseAfterVersion: "Libérer {name} maintenant que la nouvelle version est envoyée",
  short_keepLock: "Garder",
  tomorrow: "demain {time}",
};

const en: Record<keyof typeof fr, string> = {
  lockedBy: "Being edited by {who} until {until}",
  lockedByMe: "Being edited by you until {until}",
  takeLock: "Mark as being edited: {name}",
  short_takeLock: "Mark as being edited",
  lockDuration: "How long to mark {name} as being edited",
  short_confirmLock: "Mark",
  duration_1h: "1 hour",
  duration_4h: "4 hours",
  duration_24h: "Until tomorrow (24 hours)",
  cancelLock: "Cancel marking {name}",
  cancel: "Cancel",
  release: "Release {name}",
  short_release: "Release",
  lockTaken: "{name}: marked as being edited by you until {until}.",
  released: "{name} is released.",
  lockFailed: "Marking failed: {error}",
  lockedByOther: "{name} is already being edited by {who}.",
  mayNotLock: "This dossier's permissions do not let members mark a file as being edited: a dossier administrator must allow the fr.entente.file.lock event.",
  versionWhileLocked: "New version of {name} sent. You marked it as being edited until {until}: release it?",
  keepLock: "Keep {name} marked as being edited",
  offerGroup: "Release {name}?",
  releaseAfterVersion: "Release {name} now that the new version is sent",
  short_keepLock: "Keep",
  tomorrow: "tomorrow {time}",
};

export type LockMessageKey = keyof typeof fr;
export type LockTranslate = TableTranslate<LockMessageKey>;

export function lockTranslator(locale: Locale): LockTranslate {
  return tableTranslator({ fr, en }, locale);
}

/** Both tables, for the test that every French text has an English one with the same placeholders. */
export const lockTables = { fr, en } as const;

/**
 * A lock's end as said in its row: the time alone the same day ("15:30"), "demain 15:30" the next,
 * else the date and time. `timeZone` for tests (the browser's own otherwise).
 */
export function untilText(expiresAt: number, now: number, locale: Locale, timeZone?: string): string {
  const tag = locale === "en" ? "en-GB" : "fr-FR";
  const zone = timeZone !== undefined ? { timeZone } : {};
  const day = new Intl.DateTimeFormat(tag, { ...zone, year: "numeric", month: "2-digit", day: "2-digit" });
  const time = new Intl.DateTimeFormat(tag, { ...zone, hour: "2-digit", minute: "2-digit" }).format(expiresAt);
  const end = day.format(expiresAt);
  if (end === day.format(now)) return time;
  if (end === day.format(now + 86_400_000)) return lockTranslator(locale)("tomorrow", { time });
  return new Intl.DateTimeFormat(tag, { ...zone, dateStyle: "short", timeStyle: "short" }).format(expiresAt);
}
