import { z } from 'zod';
import { leadFieldsSchema } from './lead.js';

/** A dry run's lead: the intake's fields, all optional; `source` defaults to "dry-run". */
export const routeQuerySchema = leadFieldsSchema.extend({ source: z.string().trim().min(1).max(100).default('dry-run') });
