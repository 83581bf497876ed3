import { leadFieldsSchema } from './lead.js';
import { optionalText } from './text.js';

/** A dry run's lead: the intake's fields, all optional; `source` defaults to "dry-run". */
export const routeQuerySchema = leadFieldsSchema.extend({ source: optionalText(100).transform((s) => s ?? 'dry-run') });
