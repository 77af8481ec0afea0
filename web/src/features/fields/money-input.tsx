/**
 * Numbers and amounts typed as the user's language writes them: "1 234 567,89" in Russian (a space, a no-break or a
 * narrow no-break space between groups, a comma before the decimals), "1,234,567.89" in English. The value the form
 * holds, and so what is sent to the API, stays canonical: "1234567.89".
 */
import { NumberInput } from '@mantine/core';
import { useI18n } from '../../i18n/index.js';
import { CURRENCIES } from '../../labels.js';
import { decimalKeys, separatorsOf } from './number-format.js';

export interface NumberFieldProps {
  /** canonical: digits, optionally "-" and "." with decimals ("1234." while typing, see decimalOf); "" for none */
  value: string;
  onChange: (canonical: string) => void;
  id?: string;
  /** digits after the decimal separator (2 for money); none: any */
  decimals?: number;
  allowNegative?: boolean;
  invalid?: boolean;
  disabled?: boolean;
  placeholder?: string;
  'aria-label'?: string;
  'data-testid'?: string;
  className?: string;
}

/**
 * Mantine's NumberInput with the separators of the user's language. Only what the user types changes the value, and
 * it changes to the canonical string (never a JS number, so 16-digit amounts keep every digit).
 */
export function NumberField({
  value,
  onChange,
  id,
  decimals,
  allowNegative = false,
  invalid,
  disabled,
  placeholder,
  className,
  ...rest
}: NumberFieldProps) {
  const { locale } = useI18n();
  const sep = separatorsOf(locale);
  return (
    <NumberInput
      id={id}
      unstyled
      className={`number-field ${className ?? ''}`}
      classNames={{ input: `input ${invalid ? 'input-invalid' : ''}` }}
      value={value}
      valueIsNumericString
      onValueChange={(v, info) => {
        // typed (not a new value from the props, nor the hidden step buttons)
        if (info.event) onChange(v.value);
      }}
      thousandSeparator={sep.group}
      decimalSeparator={sep.decimal}
      allowedDecimalSeparators={decimalKeys(sep)}
      decimalScale={decimals}
      allowNegative={allowNegative}
      hideControls
      withKeyboardEvents={false}
      trimLeadingZeroesOnBlur={false}
      clampBehavior="none"
      disabled={disabled}
      placeholder={placeholder}
      autoComplete="off"
      aria-invalid={invalid || undefined}
      {...rest}
    />
  );
}

/** A money input: the amount in the language's format, two decimals at most. */
export function MoneyInput(props: Omit<NumberFieldProps, 'decimals' | 'allowNegative'>) {
  const { locale } = useI18n();
  const sep = separatorsOf(locale);
  return <NumberField placeholder={`0${sep.decimal}00`} {...props} decimals={2} />;
}

/** An amount and its currency side by side, as the deal forms and the stage dialog ask for them. */
export function MoneyWithCurrency({
  id,
  amount,
  currency,
  onAmount,
  onCurrency,
  invalid,
  testId,
  currencyTestId,
  allowNoCurrency,
}: {
  id?: string;
  amount: string;
  currency: string;
  onAmount: (canonical: string) => void;
  onCurrency: (currency: string) => void;
  invalid?: boolean;
  testId?: string;
  currencyTestId?: string;
  /** offer "—" (no currency), for a deal whose amount may be cleared */
  allowNoCurrency?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div className="input-group">
      <MoneyInput id={id} value={amount} onChange={onAmount} invalid={invalid} data-testid={testId} />
      <select
        className="input input-currency"
        aria-label={t('field.currency')}
        value={currency}
        onChange={(e) => onCurrency(e.target.value)}
        data-testid={currencyTestId}
      >
        {allowNoCurrency ? <option value="">—</option> : null}
        {[...new Set([currency, ...CURRENCIES].filter(Boolean))].map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </div>
  );
}
