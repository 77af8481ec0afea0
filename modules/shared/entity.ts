import { p } from '@mikro-orm/core';

/*
 * Properties every record shares, composed into entities with a spread: `properties: { ...recordId(), name: p.text(),
 * ...timestamps(), ...versioned() }`. Functions, so each entity gets its own property builders.
 */

/** a random uuid primary key, chosen by the code that creates the record */
export const recordId = () => ({ id: p.uuid().primary() });

/** when the record was created */
export const createdAt = () => ({ createdAt: p.datetime().onCreate(() => new Date()) });

/** when the record was created and last changed */
export const timestamps = () => ({
  ...createdAt(),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
});

/** the optimistic-concurrency version: 1 on create, one more with every change */
export const versioned = () => ({ version: p.integer().version() });
