import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { migrations } from '../orm.ts';

const DIR = path.resolve(import.meta.dirname, '../../migrations');

it('runs every migration file once, in the order of its timestamp', () => {
  const names = migrations.map((m) => m.name);
  // a migration registered out of order runs after a later one, and can undo it (two that replace one constraint)
  expect(names).toEqual([...names].sort());
  const files = fs
    .readdirSync(DIR)
    .filter((f) => /^Migration\d{14}_.+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(names).toEqual(files);
  for (const m of migrations) expect(m.class.name).toBe(m.name);
});
