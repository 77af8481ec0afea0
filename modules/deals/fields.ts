/** Deal field values moved to modules/fields; re-exported for the deal code that imports them from here. */
export { CURRENCY, DATE, DECIMAL, isDate } from '../fields/types.ts';
export { FieldError, validateChanges } from '../fields/deal-values.ts';
