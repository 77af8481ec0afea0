/** The web app's API types are the server's: the committed schema.d.ts is what `npm run gen:api` writes now. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, generateApiTypes } from '../../../../scripts/gen-api.ts';

describe('generated API types', () => {
  it('are up to date with the OpenAPI document (run `npm run gen:api` after changing a route)', async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === (await generateApiTypes()), 'web/src/api/schema.d.ts is stale: run npm run gen:api').toBe(
      true,
    );
  }, 60_000);
});
