// The time zones an agent may choose, French ones first: mainland France, then the overseas
// territories where councils run (Antilles, Guyane, Réunion, Mayotte, Saint-Pierre-et-Miquelon,
// Nouvelle-Calédonie, Polynésie, Wallis-et-Futuna), then every other zone this browser knows.
// Pure (Intl only).
import { isTimeZone } from "../../../appservices/kit/src/time-zone.ts";

export const FRENCH_ZONES = [
  "Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne", "Indian/Reunion", "Indian/Mayotte",
  "America/Miquelon", "Pacific/Noumea", "Pacific/Tahiti", "Pacific/Marquesas", "Pacific/Gambier", "Pacific/Wallis",
] as const;

/** Whether this browser knows the zone (the bots' own check). */
export const knownZone = isTimeZone;

export interface ZoneChoices {
  french: string[];
  others: string[];
}

/** French zones first, then the others sorted; `current` (even unknown to the lists) is included. */
export function zoneChoices(all: readonly string[], current: string | undefined): ZoneChoices {
  const french = FRENCH_ZONES.filter(knownZone);
  const taken = new Set<string>(french);
  const others = [...new Set(all)].filter((z) => !taken.has(z)).sort();
  if (current !== undefined && !taken.has(current) && !others.includes(current)) others.unshift(current);
  return { french, others };
}

/** The browser's list of zones (Intl.supportedValuesOf), or the French ones where it has none. */
export function browserZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.("timeZone") ?? [...FRENCH_ZONES];
}
