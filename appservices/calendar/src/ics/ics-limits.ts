// Bounds on what the bot accepts from a CalDAV server: one calendar object is one event series;
// anything much larger is a mistake or an attack and is skipped with its reason, the sync goes on.
export const ICS_LIMITS = {
  /** bytes of one calendar object (a series with hundreds of overrides stays far below) */
  objectBytes: 1_000_000,
  /** VEVENT components in one object (the series and its overrides) */
  components: 501,
} as const;
