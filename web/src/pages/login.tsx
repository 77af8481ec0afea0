import { useState } from 'react';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { Button, ErrorBox, Field, usePageTitle } from '../ui.js';
import { LanguageSwitch } from '../shell.js';

export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  usePageTitle(t('login.submit'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit() {
    if (!email.trim() || !password) {
      setError(new Error(t('login.missing')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <div className="login-card">
        <div className="brand brand-lg">
          <span className="brand-mark">D</span>
          <span>{t('app.name')}</span>
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.subtitle')}</p>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          className="form-grid"
          data-testid="login-form"
        >
          <ErrorBox error={error} testId="login-error" />
          <Field label={t('login.email')} htmlFor="login-email">
            <input
              id="login-email"
              name="email"
              type="email"
              className="input input-lg"
              autoComplete="username"
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="login-email"
            />
          </Field>
          <Field label={t('login.password')} htmlFor="login-password">
            <input
              id="login-password"
              name="password"
              type="password"
              className="input input-lg"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          </Field>
          <Button type="submit" variant="primary" className="btn-lg btn-block" busy={busy} data-testid="login-submit">
            {busy ? t('login.submitting') : t('login.submit')}
          </Button>
        </form>
      </div>
      <p className="login-foot muted small">{t('app.tagline')}</p>
    </div>
  );
}
