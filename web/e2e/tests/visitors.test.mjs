// Visitor tracking and proactive engagement in a real browser: the live visitor list,
// invitations by hand and by rule, verified identity, single-page navigation, and
// hostile input from the shop's page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  WAIT,
  eventually,
  forbidDialogs,
  geoipDatabase,
  launchChromium,
  logIn,
  operator as staff,
  setStatus,
  startShopkeep,
} from '../harness.mjs';

// Visitors appear to come from these addresses, through a proxy on 127.0.0.1 the server trusts.
const GB = '81.2.69.160';
const RU = '77.88.55.242';
const JP = '133.242.0.1';

const ANNA = 'Anna Petrova';
const GREETING = 'Hello, Anna Petrova! Glad to see you again.';
const MARKUP = '<img src=x onerror=alert(1)>';
const SCRIPT = '"><script>alert(1)</script>';

let server;
let browser;
let operator;
const dialogs = [];
const contexts = [];

before(async () => {
  server = await startShopkeep({
    // Rules are a supervisor's to write; a supervisor answers chats too.
    role: 'supervisor',
    settings: {
      SHOPKEEP__SERVER__TRACKING__GEOIP_DATABASE: geoipDatabase,
      SHOPKEEP__SERVER__TRACKING__TRUSTED_PROXIES: '127.0.0.1',
    },
  });
  browser = await launchChromium();
  operator = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
  forbidDialogs(operator, dialogs);
  await logIn(operator, server.base);
  await setStatus(operator, 'online');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new browser, as far as the shop can tell: its own storage, address and language. */
async function newVisitor({ ip = GB, locale = 'en-GB', init } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale,
    extraHTTPHeaders: { 'X-Forwarded-For': ip },
  });
  contexts.push(context);
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  forbidDialogs(page, dialogs);
  return page;
}

const demo = (path) => `${server.base}/demo/${path}`;
const widget = (page) => page.locator('shopkeep-widget');
const bubbleButton = (page, name) => widget(page).getByRole('button', { name, exact: true });

async function openVisitors() {
  await operator.getByRole('link', { name: 'Visitors', exact: true }).click();
  await operator.getByRole('table', { name: 'Live visitors' }).or(operator.getByText('Nobody is on your sites')).first().waitFor({ timeout: WAIT });
}

/** The console's row of the visitor whose current URL contains `marker`, kept by visitor id. */
async function rowOf(marker) {
  const byUrl = operator.locator('tr[data-visitor-id]').filter({
    has: operator.locator('[data-field="url"]', { hasText: marker }),
  });
  await byUrl.first().waitFor({ timeout: WAIT });
  assert.equal(await byUrl.count(), 1, `one row for ${marker}`);
  const id = await byUrl.getAttribute('data-visitor-id');
  return operator.locator(`tr[data-visitor-id="${id}"]`);
}

const cell = (row, field) => row.locator(`[data-field="${field}"]`);

/** Waits until `locator`'s text contains `text`; the failure names what it showed instead. */
async function shows(locator, text, timeout = WAIT) {
  let seen = '';
  try {
    await eventually(async () => {
      seen = (await locator.textContent({ timeout: 1_000 }).catch(() => '')) ?? '';
      return seen.includes(text);
    }, `“${text}”`, timeout);
  } catch (error) {
    throw new Error(`${error.message}; it shows “${seen}”`);
  }
}

async function invite(row, text) {
  await row.getByRole('button', { name: 'Invite', exact: true }).click();
  const dialog = operator.getByRole('dialog');
  const field = dialog.getByLabel('Invitation text');
  if (text !== undefined) await field.fill(text);
  const sent = await field.inputValue();
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: WAIT });
  return sent;
}

/** Calls the staff REST API from the logged-in console page, with its CSRF token. */
async function api(method, path, body) {
  return operator.evaluate(
    async ({ method, path, body }) => {
      const { csrf_token } = await (await fetch('/api/v1/me')).json();
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

async function signIn(page, name) {
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.getByText(`Signed in as ${name}`).waitFor({ timeout: WAIT });
}

async function openChat(page) {
  await widget(page).getByRole('button', { name: /Chat with us/ }).waitFor({ timeout: WAIT });
  await page.evaluate(() => window.Shopkeep('open'));
  await page.getByLabel('Message').waitFor({ timeout: WAIT });
}

test('visitors appear in the live list with their page, referrer, country, language and browser', async () => {
  await openVisitors();
  const reader = await newVisitor({ ip: GB, locale: 'en-GB' });
  await reader.goto(demo('index.html?visitor=reader&utm_source=newsletter'), { referer: 'https://news.example/outdoors' });
  const searcher = await newVisitor({ ip: RU, locale: 'ru-RU' });
  await searcher.goto(demo('ru.html?visitor=searcher'), { referer: 'https://search.example/' });

  const first = await rowOf('visitor=reader');
  await shows(cell(first, 'page'), 'Ridge Shell 3L Waterproof Jacket — Northwind Outfitters');
  await shows(cell(first, 'url'), demo('index.html?visitor=reader&utm_source=newsletter'));
  await shows(cell(first, 'referrer'), 'https://news.example/outdoors');
  await shows(cell(first, 'utm'), 'newsletter');
  await shows(cell(first, 'country'), 'United Kingdom');
  await shows(cell(first, 'lang'), 'English');
  await shows(cell(first, 'client'), 'Chrome');

  const second = await rowOf('visitor=searcher');
  await shows(cell(second, 'page'), 'Непромокаемая куртка Ridge Shell 3L — Northwind Outfitters');
  await shows(cell(second, 'url'), demo('ru.html?visitor=searcher'));
  await shows(cell(second, 'referrer'), 'https://search.example/');
  await shows(cell(second, 'country'), 'Russia');
  await shows(cell(second, 'lang'), 'Russian');
  await shows(cell(second, 'client'), 'Chrome');

  // The list is pushed as it changes: the next page shows within a second of loading.
  await reader.getByRole('link', { name: /Cart/ }).first().click();
  await reader.waitForURL(/cart\.html/);
  await shows(cell(first, 'page'), 'Your cart — Northwind Outfitters', 1_000);
  await shows(cell(first, 'url'), demo('cart.html'), 1_000);
  // The referrer and campaign belong to the visit, not to its latest page.
  await shows(cell(first, 'referrer'), 'https://news.example/outdoors');
  await shows(cell(first, 'utm'), 'newsletter');
  await shows(cell(first, 'page'), 'Pages: 2');
  await reader.context().close();
  await searcher.context().close();
});

test('an operator invites a visitor, who accepts into a chat with that operator', async () => {
  await openVisitors();
  const visitor = await newVisitor({ ip: JP, locale: 'ja-JP' });
  await visitor.goto(demo('index.html?visitor=invited'));
  const row = await rowOf('visitor=invited');
  const text = await invite(row, 'Hi! The Ridge Shell runs true to size. Want help picking one?');
  await shows(cell(row, 'invitation'), 'Invited');

  // The bubble names the operator and says what they wrote.
  await widget(visitor).getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await widget(visitor).getByText(staff.name, { exact: true }).first().waitFor({ timeout: WAIT });
  await bubbleButton(visitor, 'Reply').click();
  // Accepting opens the chat with the invitation as the operator's first message.
  await visitor.getByRole('log').getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await visitor.getByLabel('Message').waitFor({ timeout: WAIT });

  await shows(cell(row, 'invitation'), 'Accepted');
  await shows(cell(row, 'chat'), `With ${staff.name}`);
  // The chat is the inviting operator's from the start: in their own list, theirs to answer.
  await operator.getByRole('link', { name: 'Conversations', exact: true }).click();
  const mine = operator.getByRole('region', { name: /^Mine/ });
  await mine.getByRole('link', { name: /runs true to size/ }).first().click();
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  await operator.getByRole('log').getByText(text, { exact: true }).waitFor({ timeout: WAIT });
});

test('a visitor dismisses an invitation and the console shows it declined', async () => {
  await openVisitors();
  const visitor = await newVisitor({ ip: GB });
  await visitor.goto(demo('cart.html?visitor=declines'));
  const row = await rowOf('visitor=declines');
  const text = await invite(row);
  await widget(visitor).getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await bubbleButton(visitor, 'Dismiss').click();
  await widget(visitor).getByText(text, { exact: true }).waitFor({ state: 'hidden', timeout: WAIT });
  await shows(cell(row, 'invitation'), 'Declined');
  // Nobody opened a chat.
  assert.equal((await cell(row, 'chat').textContent()).trim(), '');
});

test('a rule invites a visitor once per visit, after the time on the page it asks for', async () => {
  const sites = await api('GET', '/api/v1/sites');
  assert.equal(sites.status, 200);
  const site = sites.body.find((s) => s.slug === 'demo') ?? sites.body[0];
  const ruleText = 'Still deciding? Ask us about sizes and delivery dates.';
  const created = await api('POST', `/api/v1/sites/${site.id}/rules`, {
    name: 'Help on the cart page',
    enabled: true,
    conditions: [
      { kind: 'url_matches', pattern: '/demo/cart.html*' },
      { kind: 'time_on_page', seconds: 2 },
    ],
    text: ruleText,
    department: null,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  try {
    await openVisitors();
    const visitor = await newVisitor({ ip: GB });
    const bubble = widget(visitor).getByText(ruleText, { exact: true });
    const started = Date.now();
    await visitor.goto(demo('cart.html?visitor=ruled'));
    await bubble.waitFor({ timeout: WAIT });
    const waited = Date.now() - started;
    assert.ok(waited >= 2_000, `the rule asks for 2 s on the page, the invitation came after ${waited} ms`);
    const row = await rowOf('visitor=ruled');
    await shows(cell(row, 'invitation'), 'Invited');
    assert.equal(await cell(row, 'invitation').getAttribute('title'), 'By a rule');

    await bubbleButton(visitor, 'Dismiss').click();
    await bubble.waitFor({ state: 'hidden', timeout: WAIT });
    await shows(cell(row, 'invitation'), 'Declined');

    // Staying, leaving and coming back in the same visit: the rule has had its turn.
    await visitor.waitForTimeout(4_000);
    assert.equal(await bubble.count(), 0, 'no second invitation on the same page');
    await visitor.getByRole('link', { name: 'Continue shopping' }).click();
    await visitor.waitForURL(/index\.html/);
    await visitor.getByRole('link', { name: /Cart/ }).first().click();
    await visitor.waitForURL(/cart\.html/);
    await shows(cell(row, 'page'), 'Your cart — Northwind Outfitters');
    await visitor.waitForTimeout(4_000);
    assert.equal(await bubble.count(), 0, 'no second invitation after coming back to the cart');
    await visitor.context().close();
  } finally {
    const removed = await api('DELETE', `/api/v1/rules/${created.body.id}`);
    assert.equal(removed.status, 204);
  }
});

test('a verified returning customer is greeted on a new device and finds her conversation there', async () => {
  const question = 'Do you still have the Cairn daypack in red?';
  const answer = 'Yes, two left in Ember. Shall I hold one?';

  const laptop = await newVisitor({ ip: GB });
  await laptop.goto(demo('account.html?device=laptop'));
  await signIn(laptop, ANNA);
  await openChat(laptop);
  await laptop.getByLabel('Message').fill(question);
  await laptop.getByRole('button', { name: 'Send' }).click();
  await laptop.getByRole('log').getByText(question).waitFor({ timeout: WAIT });

  // The only operator online is given the chat at once.
  await laptop.getByRole('log').getByText(`${staff.name} joined the chat`).waitFor({ timeout: WAIT });
  await operator.getByRole('link', { name: 'Conversations', exact: true }).click();
  await operator.getByRole('region', { name: /^Mine/ }).getByRole('link', { name: /Cairn daypack in red/ }).click();
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  await operator.getByLabel('Message').fill(answer);
  await operator.getByRole('button', { name: 'Send' }).click();
  await laptop.getByRole('log').getByText(answer).waitFor({ timeout: WAIT });
  await laptop.context().close();

  // A new device: no token, no history, only the shop's word (signed) that this is Anna.
  const phone = await newVisitor({ ip: GB });
  await phone.goto(demo('account.html?device=phone'));
  await signIn(phone, ANNA);
  // In a bubble above the launcher (and at the top of the conversation, once it is open).
  await widget(phone).getByText(GREETING, { exact: true }).filter({ visible: true }).first().waitFor({ timeout: WAIT });
  await openChat(phone);
  await phone.getByRole('log').getByText(question, { exact: true }).waitFor({ timeout: WAIT });
  await phone.getByRole('log').getByText(answer, { exact: true }).waitFor({ timeout: WAIT });

  // Every demo page says who is signed in: the next page still knows her.
  await phone.goto(demo('app.html?device=phone'));
  await openVisitors();
  const row = await rowOf('device=phone');
  await shows(cell(row, 'name'), ANNA);
  await shows(cell(row, 'name'), 'Verified');
  await row.click();
  const profile = operator.getByRole('complementary', { name: 'Visitor profile' });
  await profile.getByRole('heading', { name: ANNA }).waitFor({ timeout: WAIT });
  await profile.getByText('Verified', { exact: true }).waitFor({ timeout: WAIT });
  await profile.getByText('Returning customer', { exact: true }).waitFor({ timeout: WAIT });
  await profile.getByText('anna.petrova@example.com', { exact: true }).waitFor({ timeout: WAIT });
});

test('a forged signature gets no greeting, no history and shows as unverified', async () => {
  const forger = await newVisitor({ ip: GB });
  await forger.goto(demo('index.html?device=forged'));
  await widget(forger).getByRole('button', { name: /Chat with us/ }).waitFor({ timeout: WAIT });
  await forger.evaluate(() =>
    window.Shopkeep('identify', { id: 'cust-1001', name: 'Anna Petrova', hash: '00'.repeat(32) }),
  );

  await openVisitors();
  const row = await rowOf('device=forged');
  await shows(cell(row, 'name'), ANNA);
  await shows(cell(row, 'name'), 'Unverified');
  await row.click();
  const profile = operator.getByRole('complementary', { name: 'Visitor profile' });
  await profile.getByText('Unverified', { exact: true }).waitFor({ timeout: WAIT });
  assert.equal(await profile.getByText('Verified', { exact: true }).count(), 0);

  // The server has answered the identify by now; give the widget time to show anything it would.
  await forger.waitForTimeout(1_500);
  assert.equal(await widget(forger).getByText(GREETING).count(), 0, 'no greeting');
  await openChat(forger);
  await forger.waitForTimeout(1_000);
  for (const text of ['Do you still have the Cairn daypack in red?', 'Yes, two left in Ember. Shall I hold one?']) {
    assert.equal(await forger.getByText(text).count(), 0, `“${text}” stays Anna’s`);
  }
});

test('single-page navigation and explicit page views reach the console', async () => {
  await openVisitors();
  const visitor = await newVisitor({ ip: JP, locale: 'ja-JP' });
  await visitor.goto(demo('app.html?visitor=spa'));
  const row = await rowOf('visitor=spa');
  await shows(cell(row, 'page'), 'Above the tree line — Lookbook — Northwind Outfitters');

  await visitor.getByRole('link', { name: 'Coastal path' }).click();
  assert.equal(await visitor.title(), 'Coastal path — Lookbook — Northwind Outfitters');
  await shows(cell(row, 'page'), 'Coastal path — Lookbook — Northwind Outfitters');
  await shows(cell(row, 'url'), demo('app.html?look=coast'));

  await visitor.getByRole('link', { name: 'Forest camp' }).click();
  await shows(cell(row, 'page'), 'Forest camp — Lookbook — Northwind Outfitters');
  await shows(cell(row, 'url'), demo('app.html?look=camp'));

  // Back is a popstate, not a load: the widget notices it too.
  await visitor.goBack();
  await shows(cell(row, 'page'), 'Coastal path — Lookbook — Northwind Outfitters');
  await shows(cell(row, 'url'), demo('app.html?look=coast'));

  // The shopping list opens without a new URL; the page reports the view itself.
  await visitor.getByRole('button', { name: 'Shop this look' }).click();
  await shows(cell(row, 'page'), 'Shop the look: Coastal path — Northwind Outfitters');
  await shows(cell(row, 'url'), demo('app.html?look=coast'));
  // The same URL again is the same page: four pages in this visit's path.
  await shows(cell(row, 'page'), 'Pages: 4');
  await visitor.context().close();
});

test('markup from the shop page is shown literally in the console and the widget, and never runs', async () => {
  const referrer = `https://evil.example/${SCRIPT}`;
  const visitor = await newVisitor({
    ip: GB,
    // The referrer as a hostile page (or a hand-written client) reports it, unescaped.
    init: `Object.defineProperty(document, 'referrer', { get: () => ${JSON.stringify(referrer)} });`,
  });
  await visitor.goto(demo('index.html?visitor=hostile'));
  await widget(visitor).getByRole('button', { name: /Chat with us/ }).waitFor({ timeout: WAIT });
  await visitor.evaluate(
    ({ MARKUP, SCRIPT }) => {
      document.title = MARKUP;
      history.pushState(null, '', `?visitor=hostile&q=${SCRIPT}`);
      window.Shopkeep('set', { note: MARKUP, coupon: SCRIPT });
      window.Shopkeep('identify', { name: SCRIPT, email: 'mallory@example.com' });
      window.Shopkeep('page');
    },
    { MARKUP, SCRIPT },
  );
  const url = await visitor.evaluate(() => location.href);

  await openVisitors();
  const row = await rowOf('visitor=hostile');
  await cell(row, 'page').getByText(MARKUP, { exact: true }).waitFor({ timeout: WAIT });
  await cell(row, 'url').getByText(url, { exact: true }).waitFor({ timeout: WAIT });
  await cell(row, 'referrer').getByText(referrer, { exact: true }).waitFor({ timeout: WAIT });
  await shows(cell(row, 'name'), SCRIPT);

  await row.click();
  const profile = operator.getByRole('complementary', { name: 'Visitor profile' });
  await profile.getByRole('heading', { name: SCRIPT }).waitFor({ timeout: WAIT });
  const attributes = profile.locator('[data-section="attributes"]');
  await attributes.getByText(MARKUP, { exact: true }).waitFor({ timeout: WAIT });
  await attributes.getByText(SCRIPT, { exact: true }).waitFor({ timeout: WAIT });

  // The operator's invitation is text too, in the visitor's widget.
  const text = await invite(row, `${MARKUP} ${SCRIPT}`);
  await widget(visitor).getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await bubbleButton(visitor, 'Dismiss').click();

  const injectedConsole = await operator.evaluate(() => document.querySelectorAll('img[src="x"], main script, aside script').length);
  const injectedWidget = await visitor.evaluate(
    () => document.querySelector('shopkeep-widget')?.shadowRoot?.querySelectorAll('img[src="x"], script').length ?? -1,
  );
  assert.equal(injectedConsole, 0);
  assert.equal(injectedWidget, 0);
  assert.deepEqual(dialogs, []);
});

test('no page opened a dialog', () => {
  assert.deepEqual(dialogs, []);
});
