/**
 * The rules of an import, pure: which columns of a file feed which fields (mapping, and guessing it from the
 * headers in English and Russian), how a cell becomes a value (amounts, dates, currencies, emails), and what is
 * wrong with a row before anything is written. The same checks run for the preview and for the import itself.
 */
import { DECIMAL, fieldValueProblem, isDate, type FieldType } from '../fields/types.ts';
import type { FieldValue } from '../deals/gate.ts';
import { normaliseEmail, normaliseName, normalisePhone, normaliseTaxId } from '../clients/duplicates.ts';
import { CUSTOM_PREFIX, IMPORT_TARGETS, type BuiltInTarget, type ImportTarget } from './targets.ts';

export { CUSTOM_PREFIX, IMPORT_TARGETS, type BuiltInTarget, type ImportTarget };

/** target → index of the file's column that feeds it */
export type ImportMapping = Partial<Record<string, number>>;
/** values for what the file does not say: the pipeline and currency of every deal */
export interface ImportDefaults {
  pipelineId?: string | null;
  currency?: string | null;
}

export interface RowError {
  /** stable code the web app translates */
  code: string;
  /** the target the problem is about (null: the row as a whole) */
  field: string | null;
  /** the file's column header, when a column is to blame */
  column: string | null;
  /** for people reading the API or the errors file */
  message: string;
  details?: Record<string, unknown>;
}

export const isTarget = (t: string): t is ImportTarget =>
  (IMPORT_TARGETS as readonly string[]).includes(t) ||
  (t.startsWith(CUSTOM_PREFIX) && /^[a-z][a-z0-9_]{0,62}$/.test(t.slice(CUSTOM_PREFIX.length)));

/** Problems of a mapping itself: unknown targets, columns out of range, one column feeding two fields is allowed. */
export function mappingProblems(mapping: ImportMapping, columnCount: number): string[] {
  const problems: string[] = [];
  for (const [target, col] of Object.entries(mapping)) {
    if (!isTarget(target)) problems.push(`${target}: not a field an import can fill`);
    else if (col === undefined || !Number.isInteger(col) || col < 0 || col >= columnCount)
      problems.push(`${target}: no column ${col}`);
  }
  const feedsClient = ['client.name', 'client.taxId', 'client.email', 'client.phone'].some((t) => t in mapping);
  if (!feedsClient) problems.push('map a column to the client name (or its tax id, email or phone to find it)');
  return problems;
}

/** Headers compared on letters and digits only, lower case: "E-mail" is "email", "Название компании" "названиекомпании". */
export const normaliseHeader = (h: string) =>
  h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, '');

/** Header words per target, normalised, in English and Russian (exports of amoCRM, Bitrix24, HubSpot, Pipedrive). */
const SYNONYMS: Record<BuiltInTarget, string[]> = {
  'client.name': [
    'company',
    'companyname',
    'client',
    'clientname',
    'organization',
    'organisation',
    'organizationname',
    'account',
    'accountname',
    'название',
    'наименование',
    'компания',
    'названиекомпании',
    'клиент',
    'организация',
    'контрагент',
  ],
  'client.taxId': ['taxid', 'inn', 'vat', 'vatnumber', 'vatid', 'taxnumber', 'инн', 'иннкомпании'],
  'client.email': ['email', 'companyemail', 'emailкомпании', 'почта', 'электроннаяпочта', 'емейл'],
  'client.phone': ['phone', 'telephone', 'phonenumber', 'companyphone', 'телефон', 'телефонкомпании'],
  'client.website': ['website', 'site', 'web', 'url', 'сайт', 'вебсайт'],
  'client.address': ['address', 'адрес', 'адрескомпании', 'юридическийадрес'],
  'contact.name': [
    'contact',
    'contactname',
    'contactperson',
    'person',
    'personname',
    'fullname',
    'контакт',
    'контактноелицо',
    'фио',
    'имяконтакта',
  ],
  'contact.position': ['position', 'jobtitle', 'role', 'должность'],
  'contact.email': ['contactemail', 'personemail', 'emailконтакта', 'почтаконтакта'],
  'contact.phone': ['contactphone', 'personphone', 'mobile', 'mobilephone', 'телефонконтакта', 'мобильный'],
  'deal.title': ['deal', 'dealname', 'dealtitle', 'title', 'opportunity', 'сделка', 'названиесделки'],
  'deal.amount': ['amount', 'value', 'dealvalue', 'dealamount', 'sum', 'price', 'сумма', 'бюджет', 'суммасделки'],
  'deal.currency': ['currency', 'валюта'],
  'deal.pipeline': ['pipeline', 'funnel', 'воронка'],
  'deal.stage': ['stage', 'dealstage', 'status', 'этап', 'стадия', 'статус', 'этапсделки'],
  'deal.owner': ['owner', 'dealowner', 'manager', 'responsible', 'ответственный', 'менеджер', 'владелец'],
  'deal.expectedCloseDate': [
    'closedate',
    'expectedclosedate',
    'closingdate',
    'expectedclose',
    'датазакрытия',
    'планируемаядатазакрытия',
  ],
  'deal.lostReason': ['lostreason', 'reasonlost', 'причинаотказа', 'причинапроигрыша'],
};

export interface CustomFieldDef {
  key: string;
  label: string;
  type: FieldType;
  options?: readonly string[];
  /** the label and option names in other languages */
  translations?: Record<string, { label?: string; options?: Record<string, string> } | undefined>;
}

/**
 * A mapping guessed from the headers: a header equal to a known word first, then one containing it; custom deal
 * fields by key or label (in any language). A column feeds at most one field and a field takes the first column.
 */
export function guessMapping(headers: string[], fields: CustomFieldDef[] = []): ImportMapping {
  const words: [string, string[]][] = [
    ...Object.entries<string[]>(SYNONYMS),
    ...fields.map((f): [string, string[]] => [
      `${CUSTOM_PREFIX}${f.key}`,
      [f.key, f.label, ...Object.values(f.translations ?? {}).map((t) => t?.label ?? '')]
        .map(normaliseHeader)
        .filter(Boolean),
    ]),
  ];
  const norm = headers.map(normaliseHeader);
  const mapping: ImportMapping = {};
  const used = new Set<number>();
  const take = (target: string, col: number) => {
    mapping[target] = col;
    used.add(col);
  };
  for (const [target, syn] of words) {
    const col = norm.findIndex((h, i) => !used.has(i) && syn.includes(h));
    if (col >= 0) take(target, col);
  }
  for (const [target, syn] of words) {
    if (target in mapping) continue;
    const col = norm.findIndex((h, i) => !used.has(i) && syn.some((w) => w.length >= 4 && h.includes(w)));
    if (col >= 0) take(target, col);
  }
  return mapping;
}

/*
 * Cells to values.
 */

/**
 * A cell a spreadsheet would run as a formula when the text is opened again ("=HYPERLINK(…)", "@SUM(…)",
 * "+cmd|…"): refused, so an import never stores one. Phones ("+7 …") and negative numbers are not formulas.
 */
export const looksLikeFormula = (v: string) => /^=./.test(v) || /^[+\-@]\s*[A-Za-z_][\w.]*\s*[(|!]/.test(v);

/** Currency signs and words as people write them next to amounts, lower case. */
const SIGNS: [string, string][] = [
  ['₽', 'RUB'],
  ['руб.', 'RUB'],
  ['руб', 'RUB'],
  ['рублей', 'RUB'],
  ['р.', 'RUB'],
  ['$', 'USD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['₸', 'KZT'],
  ['¥', 'CNY'],
];
const iso = (code: string) => (code.toUpperCase() === 'RUR' ? 'RUB' : code.toUpperCase());

/** A currency as people write it ("RUB", "usd", "руб.", "₽", "$") as its ISO code, or null when it is none. */
export function parseCurrency(v: string): string | null {
  const t = v.trim().toLowerCase();
  if (/^[a-z]{3}$/.test(t)) return iso(t);
  if (/^(рубл[ьяей]*|руб\.?|р\.?)$/.test(t)) return 'RUB';
  if (/^доллар(ы|ов)?$/.test(t)) return 'USD';
  if (t === 'евро') return 'EUR';
  return SIGNS.find(([s]) => s === t)?.[1] ?? null;
}

/**
 * An amount as people write it: "1 234 567,89", "1,234,567.89", "1234.5", "1 000 ₽", "$1,200", "500 EUR": the
 * decimal string the deal stores and the currency named next to it (or null). Null when it is no amount
 * (negative, more than 2 decimal places, text).
 */
export function parseAmount(v: string): { amount: string; currency: string | null } | null {
  let t = v.replace(/[\s\u00A0\u202F']/g, '').toLowerCase();
  let currency: string | null = null;
  const code = /^([a-z]{3})(?=[\d.,])|(?<=[\d.,])([a-z]{3})$/.exec(t);
  if (code) {
    currency = iso(code[1] ?? code[2]);
    t = t.replace(code[0], '');
  } else {
    for (const [sign, c] of SIGNS) {
      if (t.startsWith(sign) || t.endsWith(sign)) {
        currency = c;
        t = t.startsWith(sign) ? t.slice(sign.length) : t.slice(0, -sign.length);
        break;
      }
    }
  }
  if (!/^[\d.,]+$/.test(t)) return null;
  let n = t;
  const lastComma = n.lastIndexOf(',');
  const lastDot = n.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const dec = lastComma > lastDot ? ',' : '.';
    n = n.replaceAll(dec === ',' ? '.' : ',', '').replace(',', '.');
  } else if (lastComma >= 0) {
    // "1,234" and "1,234,567" group thousands (amounts keep 2 decimal places); "1234,5" is a decimal comma
    n = /^\d{1,3}(,\d{3})+$/.test(n) ? n.replaceAll(',', '') : n.replace(',', '.');
  } else if (/^\d{1,3}(\.\d{3}){2,}$/.test(n)) {
    n = n.replaceAll('.', '');
  }
  n = n.replace(/^0+(?=\d)/, '');
  return DECIMAL.test(n) ? { amount: n, currency } : null;
}

/**
 * A date as people write it: 2026-12-31, 31.12.2026, 31/12/2026 or 12/31/2026 (when the day tells which), also
 * with a time after it; null when it is no date, or when day and month cannot be told apart (03/04/2026, see
 * isAmbiguousDate).
 */
export function parseDate(v: string): string | null {
  const t = v.trim().replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, '');
  const pad = (n: string) => n.padStart(2, '0');
  let iso: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) iso = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) iso = `${m[3]}-${pad(m[2])}-${pad(m[1])}`;
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a > 12 && b <= 12) iso = `${m[3]}-${pad(m[2])}-${pad(m[1])}`;
    else if (b > 12 && a <= 12) iso = `${m[3]}-${pad(m[1])}-${pad(m[2])}`;
    else if (a === b) iso = `${m[3]}-${pad(m[1])}-${pad(m[2])}`;
    else return null;
  }
  return iso && isDate(iso) ? iso : null;
}

/** A date with slashes whose day and month could be either (03/04/2026): refused rather than guessed. */
export function isAmbiguousDate(v: string): boolean {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(v.trim());
  return !!m && Number(m[1]) <= 12 && Number(m[2]) <= 12 && Number(m[1]) !== Number(m[2]);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/*
 * A row.
 */

export interface RefStage {
  id: string;
  name: string;
  kind: 'open' | 'won' | 'lost';
  /** the name in other languages */
  names: string[];
}
export interface RefPipeline {
  id: string;
  name: string;
  names: string[];
  stages: RefStage[];
}
export interface RefUser {
  id: string;
  email: string;
  name: string;
}
/** What a row is checked against, loaded once per import (or batch) from Postgres. */
export interface ImportRefs {
  /** active pipelines, stages by position */
  pipelines: RefPipeline[];
  /** active users the importer may make owners of deals (everyone for an administrator, else themselves and their teams) */
  owners: RefUser[];
  /** every active user, to tell "no such user" from "not yours to assign" */
  users: RefUser[];
  fields: CustomFieldDef[];
  importerId: string;
}

export interface PlannedClient {
  name: string | null;
  taxId: string | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  address: string | null;
}
export interface PlannedContact {
  name: string;
  position: string | null;
  email: string | null;
  phone: string | null;
}
export interface PlannedDeal {
  title: string;
  amount: string | null;
  currency: string | null;
  pipelineId: string;
  stageId: string;
  stageKind: 'open' | 'won' | 'lost';
  ownerId: string;
  expectedCloseDate: string | null;
  lostReason: string | null;
  custom: Record<string, FieldValue>;
}
/** What a row will write, once its checks pass. */
export interface RowPlan {
  client: PlannedClient;
  contact: PlannedContact | null;
  deal: PlannedDeal | null;
}

const MAX_LEN: Record<string, number> = {
  'client.name': 300,
  'client.taxId': 100,
  'client.email': 320,
  'client.phone': 100,
  'client.website': 500,
  'client.address': 1000,
  'contact.name': 300,
  'contact.position': 200,
  'contact.email': 320,
  'contact.phone': 100,
  'deal.title': 300,
  'deal.lostReason': 1000,
};

const same = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** Checks one row of the file against the mapping and the references; the plan is null when there are errors. */
export function validateRow(
  cells: readonly string[],
  columns: readonly string[],
  mapping: ImportMapping,
  defaults: ImportDefaults,
  refs: ImportRefs,
): { plan: RowPlan | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (code: string, field: string | null, message: string, details?: Record<string, unknown>) => {
    const col = field !== null ? mapping[field] : undefined;
    errors.push({
      code,
      field,
      column: col !== undefined ? (columns[col] ?? null) : null,
      message,
      ...(details ? { details } : {}),
    });
  };
  const raw = (target: string): string => {
    const col = mapping[target];
    return col === undefined ? '' : (cells[col] ?? '').trim();
  };
  const values = new Map<string, string>();
  for (const target of Object.keys(mapping)) {
    const v = raw(target);
    if (!v) continue;
    if (looksLikeFormula(v)) {
      fail('FORMULA', target, `${target}: the cell holds a formula; paste its value instead`);
      continue;
    }
    const max = MAX_LEN[target] ?? 5000;
    if (v.length > max) {
      fail('TOO_LONG', target, `${target}: longer than ${max} characters`, { max });
      continue;
    }
    values.set(target, v);
  }
  const val = (t: string) => values.get(t) ?? null;

  const email = (t: string) => {
    const v = val(t);
    if (v && !EMAIL.test(v)) {
      fail('INVALID_EMAIL', t, `${t}: "${v}" is not an email address`);
      return null;
    }
    return v;
  };
  const client: PlannedClient = {
    name: val('client.name'),
    taxId: val('client.taxId'),
    email: email('client.email'),
    phone: val('client.phone'),
    website: val('client.website'),
    address: val('client.address'),
  };
  if (
    !client.name &&
    !client.taxId &&
    !client.email &&
    !client.phone &&
    !errors.some((e) => e.field?.startsWith('client.'))
  )
    fail('REQUIRED', 'client.name', 'The row names no client');

  let contact: PlannedContact | null = null;
  const contactEmail = email('contact.email');
  if (val('contact.name')) {
    contact = {
      name: val('contact.name')!,
      position: val('contact.position'),
      email: contactEmail,
      phone: val('contact.phone'),
    };
  } else if (contactEmail || val('contact.phone') || val('contact.position')) {
    fail('REQUIRED', 'contact.name', "The contact's name is missing");
  }

  let deal: PlannedDeal | null = null;
  const dealGiven = [...values.keys()].some(
    (t) => t.startsWith('deal.') && t !== 'deal.pipeline' && t !== 'deal.currency',
  );
  if (dealGiven) deal = planDeal();

  function planDeal(): PlannedDeal | null {
    const before = errors.length;
    const title = val('deal.title');
    if (!title) fail('REQUIRED', 'deal.title', 'The deal has no title');
    // the pipeline: the row's, else the import's default, else the only one there is
    let pipeline: RefPipeline | undefined;
    const pName = val('deal.pipeline');
    if (pName) {
      pipeline = refs.pipelines.find(
        (p) => p.id === pName || same(p.name, pName) || p.names.some((n) => same(n, pName)),
      );
      if (!pipeline) fail('UNKNOWN_PIPELINE', 'deal.pipeline', `No pipeline "${pName}"`, { value: pName });
    } else if (defaults.pipelineId) {
      pipeline = refs.pipelines.find((p) => p.id === defaults.pipelineId);
      if (!pipeline) fail('UNKNOWN_PIPELINE', 'deal.pipeline', 'The chosen pipeline is gone');
    } else if (refs.pipelines.length === 1) {
      pipeline = refs.pipelines[0];
    } else {
      fail('REQUIRED', 'deal.pipeline', 'Choose the pipeline of the deals');
    }
    let stage: RefStage | undefined;
    const sName = val('deal.stage');
    if (pipeline) {
      if (sName) {
        stage = pipeline.stages.find(
          (s) => s.id === sName || same(s.name, sName) || s.names.some((n) => same(n, sName)),
        );
        if (!stage)
          fail('UNKNOWN_STAGE', 'deal.stage', `No stage "${sName}" in pipeline "${pipeline.name}"`, {
            value: sName,
            pipeline: pipeline.name,
          });
      } else {
        stage = pipeline.stages[0];
        if (!stage) fail('PIPELINE_HAS_NO_STAGES', 'deal.pipeline', `Pipeline "${pipeline.name}" has no stages`);
      }
    }
    let amount: string | null = null;
    let currency: string | null = null;
    const a = val('deal.amount');
    if (a) {
      const parsed = parseAmount(a);
      if (!parsed) fail('INVALID_AMOUNT', 'deal.amount', `"${a}" is not an amount`, { value: a });
      else {
        amount = parsed.amount;
        currency = parsed.currency;
      }
    }
    const c = val('deal.currency');
    if (c) {
      const code = parseCurrency(c);
      if (!code) fail('INVALID_CURRENCY', 'deal.currency', `"${c}" is not a currency`, { value: c });
      else currency = code;
    }
    if (amount !== null && currency === null) {
      currency = defaults.currency ?? null;
      if (currency === null)
        fail('CURRENCY_REQUIRED', 'deal.currency', 'The amount has no currency; map a currency column or choose one');
    }
    if (amount === null) currency = null;
    let expectedCloseDate: string | null = null;
    const d = val('deal.expectedCloseDate');
    if (d) {
      const parsed = parseDate(d);
      if (isAmbiguousDate(d))
        fail(
          'AMBIGUOUS_DATE',
          'deal.expectedCloseDate',
          `"${d}": day and month cannot be told apart; write 2026-03-04`,
          {
            value: d,
          },
        );
      else if (!parsed) fail('INVALID_DATE', 'deal.expectedCloseDate', `"${d}" is not a date`, { value: d });
      else expectedCloseDate = parsed;
    }
    let ownerId = refs.importerId;
    const o = val('deal.owner');
    if (o) {
      const match = (u: RefUser) => u.id === o || same(u.email, o) || same(u.name, o);
      const owner = refs.owners.find(match);
      if (owner) ownerId = owner.id;
      else if (refs.users.some(match))
        fail('OWNER_NOT_ALLOWED', 'deal.owner', `You may not give deals to "${o}"`, { value: o });
      else fail('UNKNOWN_OWNER', 'deal.owner', `No user "${o}"`, { value: o });
    }
    const lostReason = val('deal.lostReason');
    if (stage?.kind === 'lost' && !lostReason)
      fail('LOST_REASON_REQUIRED', 'deal.lostReason', `Stage "${stage.name}" is for lost deals: it needs a reason`);
    const custom: Record<string, FieldValue> = {};
    for (const [target, v] of values) {
      if (!target.startsWith(CUSTOM_PREFIX)) continue;
      const key = target.slice(CUSTOM_PREFIX.length);
      const def = refs.fields.find((f) => f.key === key);
      if (!def) {
        fail('UNKNOWN_FIELD', target, `No deal field "${key}"`);
        continue;
      }
      const value = customValue(def, v, currency ?? defaults.currency ?? null);
      const problem = value === undefined ? 'cannot be read' : fieldValueProblem(def, value);
      if (problem || value === undefined)
        fail('INVALID_FIELD_VALUE', target, `${def.label}: "${v}" ${problem}`, { value: v, type: def.type });
      else custom[key] = value;
    }
    if (errors.length > before || !pipeline || !stage || !title) return null;
    return {
      title,
      amount,
      currency,
      pipelineId: pipeline.id,
      stageId: stage.id,
      stageKind: stage.kind,
      ownerId,
      expectedCloseDate,
      lostReason: stage.kind === 'lost' ? lostReason : null,
      custom,
    };
  }

  if (errors.length) return { plan: null, errors };
  return { plan: { client, contact, deal }, errors };
}

/** A cell as the value of a custom field of its type; undefined when it cannot be read as one. */
function customValue(def: CustomFieldDef, v: string, currency: string | null): FieldValue | undefined {
  switch (def.type) {
    case 'number': {
      const n = Number(v.replace(/[\s\u00A0]/g, '').replace(',', '.'));
      return Number.isFinite(n) ? n : undefined;
    }
    case 'money': {
      const m = parseAmount(v);
      const cur = m?.currency ?? currency;
      return m && cur ? { amount: m.amount, currency: cur } : undefined;
    }
    case 'date': {
      return parseDate(v) ?? undefined;
    }
    case 'select': {
      const options = def.options ?? [];
      const names = Object.values(def.translations ?? {}).map((t) => t?.options ?? {});
      return (
        options.find((o) => same(o, v)) ??
        options.find((o) => names.some((n) => n[o] !== undefined && same(n[o], v))) ??
        v
      );
    }
    case 'text':
      return v;
    default:
      return undefined;
  }
}

/*
 * Matching existing clients.
 */

export interface ClientCandidate {
  id: string;
  taxId: string | null;
  matchedOn: string[];
}

/**
 * Which existing client a row means: one with the same tax id first, then the same email, then the same phone;
 * never one whose tax id differs from the row's (another company sharing an office phone). Null: a new client.
 */
export function pickClientMatch(
  candidates: readonly ClientCandidate[],
  row: { taxId: string | null },
  normaliseTaxId: (v: string) => string,
): ClientCandidate | null {
  const rowTax = row.taxId ? normaliseTaxId(row.taxId) : '';
  const compatible = candidates.filter((c) => !rowTax || !c.taxId || normaliseTaxId(c.taxId) === rowTax);
  for (const field of ['taxId', 'email', 'phone']) {
    const hit = compatible.find((c) => c.matchedOn.includes(field));
    if (hit) return hit;
  }
  return null;
}

/**
 * Rows that may mean the same client, together: those sharing a tax id, email, phone or name (normalised), also
 * through each other. Groups are imported side by side and the rows of one group in file order, so a client a row
 * creates is found by the next row of the same client instead of being created twice. Groups come in the order of
 * their first row.
 */
export function groupByClient<R extends { rowNumber: number; cells: readonly string[] }>(
  rows: readonly R[],
  mapping: ImportMapping,
): R[][] {
  const cell = (r: R, target: string) => {
    const col = mapping[target];
    return col === undefined ? '' : (r.cells[col] ?? '').trim();
  };
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  rows.forEach((r, i) => {
    const keys = [
      ['t', normaliseTaxId(cell(r, 'client.taxId'))],
      ['e', normaliseEmail(cell(r, 'client.email'))],
      ['p', normalisePhone(cell(r, 'client.phone'))],
      ['n', normaliseName(cell(r, 'client.name'))],
    ].filter(([, v]) => v);
    for (const [kind, v] of keys) {
      const key = `${kind}:${v}`;
      const j = owner.get(key);
      if (j === undefined) owner.set(key, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, R[]>();
  rows.forEach((r, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(r);
    else groups.set(root, [r]);
  });
  return [...groups.values()].sort((a, b) => a[0].rowNumber - b[0].rowNumber);
}

/*
 * The errors file.
 */

/** A cell a spreadsheet would run as a formula is written with a leading apostrophe (OWASP CSV injection). */
const neutralise = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
const csvCell = (v: string, delimiter: string) => {
  const s = neutralise(v);
  return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * The rows that failed as a CSV file a user fixes and imports again: the file's own columns, then the row number and
 * what was wrong. UTF-8 with a byte order mark, so Excel opens it with the right letters.
 */
export function errorsCsv(
  columns: readonly string[],
  rows: readonly { rowNumber: number; cells: readonly string[]; errors: readonly RowError[] }[],
  delimiter = ',',
  labels = { row: 'Row', errors: 'Errors' },
): string {
  const line = (cells: readonly string[]) => cells.map((c) => csvCell(c, delimiter)).join(delimiter);
  const out = [line([...columns, labels.row, labels.errors])];
  for (const r of rows) {
    const cells = columns.map((_, i) => r.cells[i] ?? '');
    out.push(line([...cells, String(r.rowNumber), r.errors.map((e) => e.message).join('; ')]));
  }
  return `\uFEFF${out.join('\r\n')}\r\n`;
}
