import { effect } from '@preact/signals';
import { render } from 'preact';
import { Api } from './api/http';
import { Session } from './api/session';
import { App } from './app/App';
import { watchHistory } from './app/route';
import { lang, pickLang } from './i18n/i18n';
import './styles/console.css';

const session = new Session(new Api());

// The operator's saved language wins; before sign-in, and when none is saved, the browser's.
effect(() => {
  const state = session.state.value;
  if (state.kind === 'signed_in') lang.value = pickLang([state.me.lang, ...navigator.languages]);
});
effect(() => {
  document.documentElement.lang = lang.value;
});

watchHistory();
render(<App session={session} />, document.getElementById('app')!);
