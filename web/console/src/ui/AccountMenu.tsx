import { useState } from 'preact/hooks';
import type { Me } from '../../../protocol/Me';
import type { Session } from '../api/session';
import { t } from '../i18n/i18n';
import { AwaySetting } from '../team/AwaySetting';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';

export const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const MAX_PHOTO_BYTES = 60 * 1024;

/** Why a file cannot be my photo, checked before uploading; null when it can. */
export function photoProblem(file: Blob): string | null {
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return t('photo.wrong_type');
  if (file.size > MAX_PHOTO_BYTES) return t('photo.too_big');
  return null;
}

// Photos live at a fixed path per member of staff; after a change the browser must fetch it anew.
let photoVersion = 0;

/** My photo's address on this server, or null. Only a same-origin path is used as an image source. */
export function photoSrc(me: Me): string | null {
  const path = me.photo;
  if (!path || !path.startsWith('/') || path.startsWith('//')) return null;
  return photoVersion ? `${path}${path.includes('?') ? '&' : '?'}v=${photoVersion}` : path;
}

export function Avatar({ me, size = 24 }: { me: Me; size?: number }) {
  const src = photoSrc(me);
  if (src) return <img class="avatar" src={src} alt="" width={size} height={size} />;
  const initial = [...me.name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <span class="avatar avatar--initial" style={{ width: `${size}px`, height: `${size}px` }} aria-hidden="true">
      {initial}
    </span>
  );
}

/** The header's account menu: who I am and my photo, which visitors see with my invitations. */
export function AccountMenu({ session, me }: { session: Session; me: Me }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function change(action: () => Promise<void>, done: string) {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await action();
      photoVersion++;
      setStatus(done);
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  function choose(input: HTMLInputElement) {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const problem = photoProblem(file);
    setStatus(null);
    if (problem) {
      setError(problem);
      return;
    }
    void change(() => session.uploadPhoto(file), t('photo.saved'));
  }

  return (
    <details class="account">
      <summary class="account__summary" aria-label={t('account.menu', { name: me.name })}>
        <Avatar me={me} />
        <span class="topbar__me">{me.name}</span>
      </summary>
      <div class="account__panel">
        <p class="account__email">{t('header.account', { name: me.email })}</p>
        <h2 class="account__title">{t('photo.title')}</h2>
        <div class="account__photo">
          <Avatar me={me} size={64} />
          {!photoSrc(me) && <span class="field__hint">{t('photo.none')}</span>}
        </div>
        <p class="field__hint" id="photo-hint">
          {t('photo.hint')}
        </p>
        <div class="field">
          <label for="photo-input">{t('photo.upload')}</label>
          <input
            id="photo-input"
            type="file"
            accept={PHOTO_TYPES.join(',')}
            aria-describedby="photo-hint"
            disabled={busy}
            onChange={(e) => choose(e.currentTarget)}
          />
        </div>
        <button
          class="button"
          type="button"
          disabled={busy || !me.photo}
          onClick={() => void change(() => session.removePhoto(), t('photo.removed'))}
        >
          {t('photo.remove')}
        </button>
        <FormError message={error} />
        <p role="status" class="account__status">
          {status}
        </p>
        <h2 class="account__title">{t('away.title')}</h2>
        <AwaySetting />
      </div>
    </details>
  );
}
