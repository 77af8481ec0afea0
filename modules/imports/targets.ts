/**
 * The fields a column of an imported file can feed, in the order the mapping offers them. Shared by the server's
 * import rules and the web app's mapping step (which imports this file as it is).
 */
/** Fields a column can feed; custom deal fields are `deal.custom.<key>`. */
export const IMPORT_TARGETS = [
  'client.name',
  'client.taxId',
  'client.email',
  'client.phone',
  'client.website',
  'client.address',
  'contact.name',
  'contact.position',
  'contact.email',
  'contact.phone',
  'deal.title',
  'deal.amount',
  'deal.currency',
  'deal.pipeline',
  'deal.stage',
  'deal.owner',
  'deal.expectedCloseDate',
  'deal.lostReason',
] as const;
export type BuiltInTarget = (typeof IMPORT_TARGETS)[number];
export type ImportTarget = BuiltInTarget | `deal.custom.${string}`;
export const CUSTOM_PREFIX = 'deal.custom.';
