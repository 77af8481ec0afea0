/**
 * docker-compose.yml is checked by reading it (no Docker engine in CI): the services of the production shape,
 * api/worker settings that server/config.ts really knows, scalable workers, and a healthcheck on a real path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, parseConfig } from '../../server/config.ts';
import { startHarness } from '../support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// merge keys (<<: *anchor) as docker compose resolves them
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
/** A compose service, as far as these checks read it. */
interface Service {
  image?: string;
  build?: string;
  environment: Record<string, unknown>;
  healthcheck: { test: string[] };
  volumes: string[];
  ports?: string[];
  deploy: { replicas: number };
}
const services = compose.services as Record<string, Service>;
const known = new Set(Object.keys(configSchema.shape));

/** Compose's ${VAR:-default} with every variable unset, as a bare `docker compose up` sees it. */
const interpolate = (v: unknown) =>
  String(v).replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_m, d: string | undefined) => d ?? '');

describe('docker-compose.yml', () => {
  it('has the production services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(services.postgres.image).toMatch(/^postgres:\d+/);
    expect(services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(services.postgres.volumes.some((v: string) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal.environment).toMatchObject({
      DB: 'postgres12',
      DB_PORT: 5432,
      POSTGRES_SEEDS: 'postgres',
    });
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  it('runs the API and the workers from one image with different roles', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name].build).toBe('.');
      expect(services[name].image).toBe(services.api.image);
    }
    expect(services.api.environment.DEALFLOW_ROLE).toBe('api');
    expect(services.worker.environment.DEALFLOW_ROLE).toBe('worker');
    expect(services.api.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services.api.environment.HOST).toBe('0.0.0.0');
    expect(services.api.ports).toContain('3000:3000');
  });

  it('gives api and worker only variables that server/config.ts validates, and valid ones', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment;
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        `${name}: unknown variables`,
      ).toEqual([]);
      const parsed = parseConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)])));
      expect(parsed.DATABASE_URL).toMatch(/^postgres:\/\/dealflow:[^@]+@postgres:5432\/dealflow$/);
      expect(parsed.DEALFLOW_DATA_DIR).toBe('/var/lib/dealflow');
    }
  });

  it('scales workers by replica count', () => {
    expect(services.worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker.ports).toBeUndefined();
  });

  it('shares one file storage volume between the API and the workers', () => {
    const mount = (name: string) => services[name].volumes.find((v) => v.endsWith(':/var/lib/dealflow'));
    expect(mount('api')).toBeDefined();
    expect(mount('api')).toBe(mount('worker'));
    expect(Object.keys(compose.volumes)).toContain(mount('api')!.split(':')[0]);
  });

  it('checks the API on its readiness endpoint, which app.ts serves', () => {
    const test = services.api.healthcheck.test.join(' ');
    const url = test.match(/http:\/\/[\w.]+:(\d+)(\/[\w/]+)/);
    expect(url).not.toBeNull();
    expect(Number(url![1])).toBe(Number(services.api.environment.PORT));
    expect(url![2]).toBe('/api/v1/ready');
    // the image has node but no curl
    expect(services.api.healthcheck.test[1]).toBe('node');
  });

  it('has a readiness endpoint at that path that answers 200 when Postgres and Temporal are up', async () => {
    const h = await startHarness();
    try {
      const res = await fetch(`${h.baseUrl}/api/v1/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    } finally {
      await h.close();
    }
  });

  it('builds from a node:24-slim Dockerfile that runs scripts/start.ts', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-slim/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('npm run build:web');
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "scripts/start.ts"]');
  });
});
