// The UI's language, passed down as a property bag: every view takes `i18n` and re-renders when
// the agent switches language (the shell replaces the object).
import type { Locale, Translate } from "../../core/i18n/translator.ts";

export interface I18n { locale: Locale; t: Translate }
