/**
 * Inputs of custom deal fields that name another record: a user (searched in the user directory), a client (the
 * searchable client picker, only clients the user can see) and a file (one of the deal's attachments). The value is
 * the record's id; the user sees names. The server's view of the stored value (GET /deals/:id `references`) says
 * whether a referenced user is deactivated or a file gone.
 */
import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { api, qs, type DealDetail, type Page, type User } from '../../api.js';
import { useDebouncedValue } from '@mantine/hooks';
import { ClientPicker } from '../clients/client-picker.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorBox, Icon, Spinner } from '../../ui.js';

export type FieldReference = DealDetail['references'][string];
export type ReferenceType = FieldReference['type'];

export const isReferenceType = (type: string): type is ReferenceType =>
  type === 'user' || type === 'client' || type === 'file';

/**
 * Names of the records the page has shown or the user has picked, so that the history can name them too: a small
 * store the history subscribes to (useReferenceText), filled from effects and event handlers, never during render.
 */
const known = new Map<string, string>();
const listeners = new Set<() => void>();
let knownVersion = 0;
function remember(entries: readonly (readonly [string, string | null | undefined])[]) {
  let changed = false;
  for (const [id, name] of entries) {
    if (id && name && known.get(id) !== name) {
      known.set(id, name);
      changed = true;
    }
  }
  if (!changed) return;
  knownVersion++;
  for (const l of listeners) l();
}
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
};

/** How a referenced value reads in the history: its name when this page knows it, else `unknown`. */
export function useReferenceText(): (id: string, unknown: string) => string {
  useSyncExternalStore(subscribe, () => knownVersion);
  return (id, unknown) => known.get(id) ?? unknown;
}

interface ReferenceInputProps {
  type: ReferenceType;
  /** the input's element id, for its label */
  id: string;
  dealId: string;
  /** the chosen record's id, '' for none */
  value: string;
  onChange: (id: string) => void;
  /** what the stored value names, as the server read it */
  current?: FieldReference;
  /** the deal's attachments, when the page has them; read from the deal otherwise */
  attachments?: readonly { id: string; fileName: string }[];
  invalid?: boolean;
}

export function ReferenceInput(props: ReferenceInputProps) {
  const { current, value } = props;
  const currentId = current?.id ?? '';
  const currentName = current?.name;
  useEffect(() => remember([[currentId, currentName]]), [currentId, currentName]);
  const stored = current && current.id === value ? current : undefined;
  if (props.type === 'file') return <FileSelect {...props} current={stored} />;
  if (props.type === 'client') return <ClientField {...props} current={stored} />;
  return <UserField {...props} current={stored} />;
}

/** The state a stored reference is in, as a short note beside its name. */
function StatusNote({ current }: { current?: FieldReference }) {
  const { t } = useI18n();
  if (!current || current.status === 'active') return null;
  return (
    <span className="muted small" data-testid="reference-status" data-status={current.status}>
      {current.status === 'inactive' ? t('reference.inactive') : t('reference.missing')}
    </span>
  );
}

function ClientField({ id, value, onChange, current, invalid }: ReferenceInputProps) {
  const { t } = useI18n();
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);
  const shown = value ? (picked?.id === value ? picked.name : (current?.name ?? t('reference.unknown'))) : null;
  return (
    <div data-testid="reference-client">
      <ClientPicker
        id={id}
        invalid={invalid}
        value={value && shown ? { id: value, name: shown } : null}
        onChange={(c) => {
          if (c) remember([[c.id, c.name]]);
          setPicked(c);
          onChange(c?.id ?? '');
        }}
      />
      <StatusNote current={current} />
    </div>
  );
}

function FileSelect({ id, dealId, value, onChange, current, attachments, invalid }: ReferenceInputProps) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<readonly { id: string; fileName: string }[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (attachments) return;
    let cancelled = false;
    api
      .get<DealDetail>(`/deals/${dealId}`)
      .then((d) => {
        if (!cancelled) setLoaded(d.attachments);
      })
      .catch((e) => {
        if (!cancelled) setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, [attachments, dealId]);
  const files = attachments ?? loaded;
  useEffect(() => remember((files ?? []).map((f) => [f.id, f.fileName] as const)), [files]);
  return (
    <>
      <select
        id={id}
        className={`input ${invalid ? 'input-invalid' : ''}`}
        value={value}
        disabled={!files}
        onChange={(e) => onChange(e.target.value)}
        data-testid="reference-file"
      >
        <option value="">{files ? t('common.noneOption') : t('app.loading')}</option>
        {(files ?? []).map((f) => (
          <option key={f.id} value={f.id}>
            {f.fileName}
          </option>
        ))}
        {value && files && !files.some((f) => f.id === value) ? (
          <option value={value}>{t('reference.missing')}</option>
        ) : null}
      </select>
      {files && !files.length ? <span className="field-hint">{t('reference.noFiles')}</span> : null}
      <StatusNote current={current} />
      {error ? <ErrorBox error={error} /> : null}
    </>
  );
}

/** A searchable user combobox over GET /users?q= (active users; the directory everyone reads). */
function UserField({ id, value, onChange, current, invalid }: ReferenceInputProps) {
  const { t } = useI18n();
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<User[]>([]);
  /** the search the list shows the answer to; while another is asked, a spinner */
  const [answered, setAnswered] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const [debounced] = useDebouncedValue(q, 200);
  const loading = open && answered !== debounced;
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    api
      .get<Page<User>>(`/users${qs({ q: debounced.trim() || undefined, limit: 20 })}`)
      .then((r) => {
        if (cancelled) return;
        // an administrator's directory lists deactivated users too; none of them can be chosen
        setItems(r.items.filter((u) => !u.disabled));
        setError(null);
        setActive(0);
        setAnswered(debounced);
      })
      .catch((e) => {
        if (cancelled) return;
        setError(e);
        setAnswered(debounced);
      });
    return () => {
      cancelled = true;
    };
  }, [debounced, open]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  if (value) {
    const shown = picked?.id === value ? picked.name : (current?.name ?? t('reference.unknown'));
    return (
      <div className="picked" data-testid="reference-user-picked">
        <Icon name="users" size={16} />
        <span className="picked-name">{shown}</span>
        <StatusNote current={current} />
        <button
          type="button"
          className="icon-btn icon-btn-sm"
          aria-label={t('reference.clear')}
          onClick={() => {
            onChange('');
            setOpen(true);
            setTimeout(() => inputRef.current?.focus(), 0);
          }}
        >
          <Icon name="x" size={14} />
        </button>
      </div>
    );
  }

  const choose = (u: User) => {
    remember([[u.id, u.name]]);
    setPicked({ id: u.id, name: u.name });
    onChange(u.id);
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
          placeholder={t('reference.userSearch')}
          value={q}
          data-testid="reference-user-search"
          onFocus={() => setOpen(true)}
          onChange={(e) => {
            setQ(e.target.value);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive((a) => Math.min(a + 1, items.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter' && open && items[active]) {
              e.preventDefault();
              choose(items[active]);
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
            <li className="combo-empty">{t('reference.noUsers')}</li>
          ) : (
            items.map((u, i) => (
              <li
                key={u.id}
                role="option"
                aria-selected={i === active}
                className={`combo-option ${i === active ? 'active' : ''}`}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(u);
                }}
                data-testid="reference-user-option"
              >
                <span>{u.name}</span>
                <span className="muted small">{u.email}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
