/** Russian names of the demo pipeline's stages and of the demo field's options (first start and its migration). */
export const DEMO_STAGES_RU: [string, string][] = [
  ['New lead', 'Новый лид'],
  ['Qualified', 'Квалифицирован'],
  ['Commercial proposal sent', 'КП отправлено'],
  ['Negotiation', 'Переговоры'],
  ['Won', 'Успешно'],
  ['Lost', 'Проиграна'],
];
export const DEMO_OPTIONS_RU: [string, string][] = [
  ['Website', 'Сайт'],
  ['Referral', 'Рекомендация'],
  ['Exhibition', 'Выставка'],
  ['Cold call', 'Холодный звонок'],
];
