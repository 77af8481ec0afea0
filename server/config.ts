import path from 'node:path';
import { z } from 'zod';

/** Every setting Dealflow reads from the environment, parsed and validated once at boot. */
const schema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .describe('Postgres connection URL; unset: an embedded Postgres is started under DEALFLOW_DATA_DIR'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'host:port')
    .optional()
    .describe('Temporal frontend host:port; unset: a Temporal dev server is started under DEALFLOW_DATA_DIR'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('dealflow'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DEALFLOW_DATA_DIR: z.string().default(path.resolve('.data')),
  DEALFLOW_ROLE: z
    .enum(['all', 'api', 'worker'])
    .default('all')
    .describe('which processes this instance runs: api+worker, the API only, or a worker only'),
  DEALFLOW_ADMIN_EMAIL: z.email().optional(),
  DEALFLOW_ADMIN_PASSWORD: z.string().min(10).optional(),
  DEALFLOW_UPLOAD_LIMIT_MB: z.coerce.number().positive().max(1024).default(25),
  DEALFLOW_TRUST_PROXY: z
    .string()
    .min(1)
    .default('false')
    .describe(
      "which proxies' X-Forwarded-For to believe for the client address (Express 'trust proxy': false, loopback, a CIDR list, a hop count)",
    ),
  DEALFLOW_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(20160)
    .default(480)
    .describe('a session unused this long ends (besides its 14-day expiry)'),
  DEALFLOW_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('level of the JSON logs on stdout (read by server/logger.ts, validated here)'),
  DEALFLOW_METRICS_TOKEN: z.string().min(16).optional().describe('when set, /metrics needs it as a Bearer token'),
  DEALFLOW_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  DEALFLOW_WORKFLOW_CACHE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe(
      "records' workflows a worker keeps in memory (about 0.5 MB each); a workflow evicted from it is rebuilt from its history when it is next changed",
    ),
  DEALFLOW_SMTP_URL: z
    .url({ protocol: /^smtps?$/ })
    .optional()
    .describe(
      'where notifications are mailed: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465; unset: no email is sent (and the log says so)',
    ),
  DEALFLOW_MAIL_FROM: z
    .string()
    .min(3)
    .max(300)
    .regex(/@/, 'an address, e.g. Dealflow <crm@example.com>')
    .optional()
    .describe('the From of notification emails (default: dealflow@ the SMTP host)'),
  DEALFLOW_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .max(160)
    .refine((u) => !/[?#]/.test(u), 'no query or fragment')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional()
    .describe(
      "the address users reach Dealflow at (e.g. https://crm.example.com), for links it hands out such as calendar feeds; unset: the request's own host",
    ),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  EMBEDDED_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7239),
});

export type Config = z.infer<typeof schema>;
export const configSchema = schema;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a ConfigError naming the variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
