/**
 * The deal's built-in fields a stage may require, declared once: the gate, the pipeline rules, the reserved keys
 * and the field list of the API all read this. Any other requirable key names a custom deal field.
 */
export const DEAL_BUILT_IN_FIELDS = [
  { key: 'amount', label: 'Amount', type: 'money', translations: { ru: { label: 'Сумма' } } },
  {
    key: 'expectedCloseDate',
    label: 'Expected close date',
    type: 'date',
    translations: { ru: { label: 'Ожидаемая дата закрытия' } },
  },
  { key: 'contactId', label: 'Contact', type: 'contact', translations: { ru: { label: 'Контакт' } } },
] as const;

export type DealBuiltInKey = (typeof DEAL_BUILT_IN_FIELDS)[number]['key'];
export const DEAL_BUILT_IN_KEYS = DEAL_BUILT_IN_FIELDS.map((f) => f.key) as readonly DealBuiltInKey[] as readonly [
  'amount',
  'expectedCloseDate',
  'contactId',
];

/** Keys a custom deal field may not take: the built-in fields and the deal's own properties. */
export const RESERVED_DEAL_FIELD_KEYS: ReadonlySet<string> = new Set([
  ...DEAL_BUILT_IN_KEYS,
  'id',
  'title',
  'clientId',
  'ownerId',
  'pipelineId',
  'stageId',
  'currency',
  'custom',
  'lostReason',
  'closedAt',
  'createdAt',
  'updatedAt',
  'version',
]);

/**
 * The types a custom deal field may have. A user, client or file field holds an id, checked at write
 * (modules/fields/deal-values.ts): an active user, a client the acting user sees, a file attached to this deal.
 */
export const DEAL_FIELD_TYPES = ['text', 'number', 'money', 'date', 'select', 'user', 'client', 'file'] as const;
