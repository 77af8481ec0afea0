/** Choosing a client by typing part of its name (GET /clients?q=), for the New deal dialog. */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Client } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorBox, Icon, Spinner } from '../../ui.js';
import { clientSearchQuery } from './clients-query.js';

export interface ClientRef {
  id: string;
  name: string;
}

/** A searchable client combobox: type to search GET /clients?q=, arrows + Enter or click to choose. */
export function ClientPicker({
  value,
  onChange,
  id,
  invalid,
}: {
  value: ClientRef | null;
  onChange: (c: ClientRef | null) => void;
  id?: string;
  invalid?: boolean;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [debounced] = useDebouncedValue(q.trim(), 200);
  const search = useQuery({ ...clientSearchQuery(debounced), enabled: open, placeholderData: keepPreviousData });
  const items = useMemo(() => search.data?.items ?? [], [search.data]);
  const loading = search.isFetching;
  /** the highlighted option, within the options shown */
  const cur = Math.min(active, Math.max(0, items.length - 1));
  const error = search.error;
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  if (value) {
    return (
      <div className="picked" data-testid="client-picked">
        <Icon name="building" size={16} />
        <span className="picked-name">{value.name}</span>
        <button
          type="button"
          className="icon-btn icon-btn-sm"
          aria-label={t('common.edit')}
          onClick={() => {
            onChange(null);
            setOpen(true);
            setTimeout(() => inputRef.current?.focus(), 0);
          }}
        >
          <Icon name="x" size={14} />
        </button>
      </div>
    );
  }

  const choose = (c: Client) => {
    onChange({ id: c.id, name: c.name });
    setOpen(false);
    setQ('');
  };
  return (
    <div className="combo" ref={wrap}>
      <div className="input-icon">
        <Icon name="search" size={16} />
        <input
          ref={inputRef}
          id={id}
          className={`input ${invalid ? 'input-invalid' : ''}`}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          autoComplete="off"
          placeholder={t('newDeal.clientSearch')}
          value={q}
          data-testid="client-search"
          onFocus={() => setOpen(true)}
          onChange={(e) => {
            setQ(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive(Math.min(cur + 1, items.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive(Math.max(cur - 1, 0));
            } else if (e.key === 'Enter' && open && items[cur]) {
              e.preventDefault();
              choose(items[cur]);
            } else if (e.key === 'Escape' && open) {
              e.stopPropagation();
              e.preventDefault();
              setOpen(false);
            }
          }}
        />
        {loading ? <Spinner /> : null}
      </div>
      {open ? (
        <ul className="combo-list" role="listbox" id={listId}>
          {error ? (
            <li className="combo-empty">
              <ErrorBox error={error} />
            </li>
          ) : items.length === 0 && !loading ? (
            <li className="combo-empty">{t('newDeal.noClients')}</li>
          ) : (
            items.map((c, i) => (
              <li
                key={c.id}
                role="option"
                aria-selected={i === cur}
                className={`combo-option ${i === cur ? 'active' : ''}`}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(c);
                }}
                data-testid="client-option"
              >
                <span>{c.name}</span>
                {c.taxId || c.email ? <span className="muted small">{c.taxId ?? c.email}</span> : null}
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
