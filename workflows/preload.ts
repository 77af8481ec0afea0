/**
 * The libraries the worker loads once per V8 context and shares, frozen, with every workflow run (`preloadModules`
 * in runtime/worker.ts): pure code whose initialisation is costly — the FEEL engine (feelin, building its parser
 * from lezer-feel's tables; it brings the Temporal polyfill) and RRULE. Referenced here so that the bundler keeps
 * them: a bare `require` of a package marked free of side effects would be dropped.
 */
import { evaluate } from 'feelin';
import * as rrule from 'rrule';

export const preloaded = [evaluate, rrule];
