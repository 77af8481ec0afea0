import { Button, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from './i18n/index.js';
import { useSession } from './session.js';
import { ErrorBox } from './ui.js';

/**
 * The session ended (expired, or logged out elsewhere) while the user was working. The page stays mounted under
 * this dialog, so whatever was typed and not saved yet is still there after logging in again.
 */
export function SessionExpiredDialog({ email }: { email: string }) {
  const { t } = useI18n();
  const { login, logout } = useSession();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit() {
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }
  return (
    <Modal
      opened
      onClose={() => {}}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
      title={t('session.expiredTitle')}
      zIndex={400}
      attributes={{ content: { 'data-testid': 'session-expired' } as Record<string, string> }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        noValidate
      >
        <Stack gap="sm">
          <Text size="sm">{t('session.expiredText')}</Text>
          <ErrorBox error={error} testId="session-expired-error" />
          <Text size="sm" fw={600}>
            {email}
          </Text>
          <PasswordInput
            label={t('login.password')}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="current-password"
            data-autofocus
            data-testid="session-password"
          />
          <Button type="submit" loading={busy} data-testid="session-login">
            {t('login.submit')}
          </Button>
          <Button variant="subtle" onClick={() => void logout()}>
            {t('nav.logout')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
