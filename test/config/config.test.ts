/**
 * Configuration is parsed once at boot from the environment; a bad value stops the process before anything starts,
 * with a message that names the variable.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, parseConfig } from '../../server/config.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('parseConfig', () => {
  it('fills defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'dealflow',
      PORT: 3000,
      HOST: '127.0.0.1',
      DEALFLOW_ROLE: 'all',
      DEALFLOW_UPLOAD_LIMIT_MB: 25,
      DEALFLOW_SECURE_COOKIES: false,
      EMBEDDED_POSTGRES_PORT: 54329,
      EMBEDDED_TEMPORAL_PORT: 7239,
      DEALFLOW_WORKFLOW_CACHE: 500,
    });
    expect(c.DEALFLOW_DATA_DIR).toBe(path.resolve('.data'));
    // unset: embedded Postgres and a Temporal dev server are started instead
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.DEALFLOW_ADMIN_EMAIL).toBeUndefined();
    expect(c.DEALFLOW_ADMIN_PASSWORD).toBeUndefined();
  });

  it('treats an empty value as unset', () => {
    const c = parseConfig({ PORT: '', DATABASE_URL: '', DEALFLOW_ADMIN_PASSWORD: '' });
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DEALFLOW_ADMIN_PASSWORD).toBeUndefined();
  });

  it('reads only its own variables and converts their types', () => {
    const c = parseConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/crm',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      DEALFLOW_ROLE: 'worker',
      DEALFLOW_SECURE_COOKIES: 'true',
      DEALFLOW_UPLOAD_LIMIT_MB: '2.5',
      DEALFLOW_WORKFLOW_CACHE: '2000',
      UNRELATED: 'x',
    });
    expect(c).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgresql://u:p@db:5432/crm',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      DEALFLOW_ROLE: 'worker',
      DEALFLOW_SECURE_COOKIES: true,
      DEALFLOW_UPLOAD_LIMIT_MB: 2.5,
      DEALFLOW_WORKFLOW_CACHE: 2000,
    });
    expect(c).not.toHaveProperty('UNRELATED');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['TEMPORAL_ADDRESS', 'temporal'],
    ['DEALFLOW_ROLE', 'both'],
    ['DEALFLOW_ADMIN_EMAIL', 'admin'],
    ['DEALFLOW_ADMIN_PASSWORD', 'short'],
    ['DEALFLOW_UPLOAD_LIMIT_MB', '0'],
    ['DEALFLOW_SECURE_COOKIES', 'yes'],
    ['EMBEDDED_POSTGRES_PORT', '0'],
    ['EMBEDDED_TEMPORAL_PORT', 'x'],
    ['DEALFLOW_WORKFLOW_CACHE', '0'],
    ['DEALFLOW_WORKFLOW_CACHE', 'many'],
    ['DEALFLOW_SMTP_URL', 'mail.example.com:587'],
    ['DEALFLOW_SMTP_URL', 'http://mail.example.com'],
    ['DEALFLOW_MAIL_FROM', 'Dealflow'],
    ['DEALFLOW_PUBLIC_URL', 'crm.example.com'],
    ['DEALFLOW_PUBLIC_URL', 'ftp://crm.example.com'],
    ['DEALFLOW_PUBLIC_URL', 'https://crm.example.com/?x=1'],
    ['DEALFLOW_PUBLIC_URL', `https://crm.example.com/${'a'.repeat(200)}`],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    const e = configError({ [name]: value });
    expect(e.message).toMatch(new RegExp(`^  ${name}: `, 'm'));
  });

  it('reads the SMTP settings notifications are mailed with; unset, nothing is mailed', () => {
    const none = parseConfig({});
    expect(none.DEALFLOW_SMTP_URL).toBeUndefined();
    expect(none.DEALFLOW_MAIL_FROM).toBeUndefined();
    expect(none.DEALFLOW_PUBLIC_URL).toBeUndefined();
    const c = parseConfig({
      DEALFLOW_SMTP_URL: 'smtp://crm%40example.com:p%40ss@mail.example.com:587',
      DEALFLOW_MAIL_FROM: 'Dealflow <crm@example.com>',
      DEALFLOW_PUBLIC_URL: 'https://crm.example.com',
    });
    expect(c).toMatchObject({
      DEALFLOW_SMTP_URL: 'smtp://crm%40example.com:p%40ss@mail.example.com:587',
      DEALFLOW_MAIL_FROM: 'Dealflow <crm@example.com>',
      DEALFLOW_PUBLIC_URL: 'https://crm.example.com',
    });
    expect(parseConfig({ DEALFLOW_SMTP_URL: 'smtps://mail.example.com:465' }).DEALFLOW_SMTP_URL).toBe(
      'smtps://mail.example.com:465',
    );
  });

  it('reads the public address without its trailing slash; unset, links use the request host', () => {
    expect(parseConfig({ DEALFLOW_PUBLIC_URL: 'https://crm.example.com/' }).DEALFLOW_PUBLIC_URL).toBe(
      'https://crm.example.com',
    );
    expect(parseConfig({ DEALFLOW_PUBLIC_URL: 'http://10.0.0.5:8080/crm/' }).DEALFLOW_PUBLIC_URL).toBe(
      'http://10.0.0.5:8080/crm',
    );
    expect(parseConfig({}).DEALFLOW_PUBLIC_URL).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    const e = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEALFLOW_ROLE: 'both' });
    for (const name of ['PORT', 'DATABASE_URL', 'DEALFLOW_ROLE']) expect(e.message).toContain(`${name}:`);
    expect(e.message).not.toContain('HOST');
  });

  it('is documented: the README configuration table lists every variable', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});

describe('scripts/start.ts', () => {
  it('exits non-zero naming the variable when a setting is bad, before starting any service', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: 'abc',
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
        DEALFLOW_DATA_DIR: path.join(ROOT, '.data', 'config-test-unused'),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toMatch(/^ {2}PORT: /m);
    expect(r.stdout).not.toContain('starting');
    expect(r.stdout).not.toContain('Dealflow is running');
  });
});
