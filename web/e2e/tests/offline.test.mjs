// Offline mode in a real browser, with real mail: the widget's offline form when nobody is
// online, from the queue, or when the shop is closed; the mail it sends to the shop, the
// operator's answer by mail, missed chats, and the visitor's transcript printed, mailed and
// downloaded.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';

import {
  WAIT,
  eventually,
  forbidDialogs,
  launchChromium,
  logIn,
  operator as staff,
  screenshotPath,
  setStatus,
  startShopkeep,
  startSmtpSink,
} from '../harness.mjs';

const SHOP = 'shop@example.com';
const CONSENT = 'I agree that Northwind may email me about my question.';
const MARKUP = '<img src=x onerror=alert(1)>';

let sink;
let server;
let browser;
let operator;
let site;
const dialogs = [];

before(async () => {
  sink = await startSmtpSink();
  // Opening hours and the site's mail settings are an admin's to change; an admin answers chats too.
  server = await startShopkeep({
    role: 'admin',
    settings: {
      ...sink.settings,
      // A chat is missed once its visitor has been gone this long (ms), checked this often.
      SHOPKEEP__SERVER__MISSED_AFTER: '1500',
      SHOPKEEP__SERVER__MISSED_INTERVAL: '250',
    },
  });
  browser = await launchChromium();
  operator = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
  forbidDialogs(operator, dialogs);
  await logIn(operator, server.base);
  await setStatus(operator, 'away');
  const sites = await api('GET', '/api/v1/sites');
  assert.equal(sites.status, 200);
  site = sites.body.find((s) => s.slug === 'demo') ?? sites.body[0];
  const patched = await api('PATCH', `/api/v1/sites/${site.id}`, {
    mail: { notify_address: SHOP, consent_text: CONSENT, auto_transcript: false },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
});

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

/** A new browser on the demo shop, with the chat panel open. */
async function newVisitor() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  forbidDialogs(page, dialogs);
  await page.goto(`${server.base}/demo/`);
  await widget(page).getByRole('button', { name: /Chat with us/ }).waitFor({ timeout: WAIT });
  await page.evaluate(() => window.Shopkeep('open'));
  return page;
}

const widget = (page) => page.locator('shopkeep-widget');
const field = (page, label) => widget(page).getByLabel(label, { exact: true });

/** Fills and sends the offline form; returns the confirmation. */
async function leaveMessage(page, { name, email, phone, message }) {
  await field(page, 'Your name').fill(name);
  await field(page, 'Email').fill(email);
  if (phone) await field(page, 'Phone (optional)').fill(phone);
  await field(page, 'Message').fill(message);
  await field(page, CONSENT).check();
  await widget(page).getByRole('button', { name: 'Send message' }).click();
  const confirmation = widget(page).getByRole('status').filter({ hasText: /^Thanks!/ });
  await confirmation.waitFor({ timeout: WAIT });
  return confirmation;
}

/**
 * The console's inbox row whose preview contains `text`: the first, as an admin's inbox
 * also lists every open chat under "All chats".
 */
const inboxRow = (text) => operator.getByRole('navigation', { name: 'Conversations' }).getByRole('link').filter({ hasText: text }).first();

/** Runs `body` with the site's chats handed out by hand, so that a new chat waits in the queue. */
async function withManualRouting(body) {
  const manual = await api('PATCH', `/api/v1/sites/${site.id}`, { chat: { ...site.chat, routing: 'manual' } });
  assert.equal(manual.status, 200, JSON.stringify(manual.body));
  try {
    await body();
  } finally {
    const restored = await api('PATCH', `/api/v1/sites/${site.id}`, { chat: site.chat });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
  }
}

/** Waits until `locator`'s text contains `text`; the failure names what it showed instead. */
async function shows(locator, text) {
  let seen = '';
  try {
    await eventually(async () => {
      seen = (await locator.textContent({ timeout: 1_000 }).catch(() => '')) ?? '';
      return seen.includes(text);
    }, `“${text}”`);
  } catch (error) {
    throw new Error(`${error.message}; it shows “${seen}”`);
  }
}

const sentTo = (address) => (mail) => mail.rcpt_tos.includes(address);

const maria = {
  name: 'Maria Jensen',
  email: 'maria@example.net',
  phone: '+47 912 34 567',
  message: 'Do you ship the Ridge Shell jacket to Tromso, and how long does it take?',
};

test('with nobody online the widget is a form whose message is mailed to the shop and listed in the console', async () => {
  const visitor = await newVisitor();
  for (const label of ['Your name', 'Email', 'Phone (optional)', 'Message', CONSENT]) {
    await field(visitor, label).waitFor({ timeout: WAIT });
  }
  assert.equal(await field(visitor, CONSENT).getAttribute('type'), 'checkbox');
  const confirmation = await leaveMessage(visitor, maria);
  assert.match(await confirmation.textContent(), new RegExp(`^Thanks!.*${maria.email}`));

  const mail = await sink.waitFor((m) => sentTo(SHOP)(m) && m.text.includes(maria.message), 'the offline message at the shop');
  assert.deepEqual(mail.rcpt_tos, [SHOP]);
  assert.match(mail.headers.to, /shop@example\.com/);
  assert.match(mail.headers['reply-to'], /maria@example\.net/);
  assert.match(mail.headers.from, /chat@northwind\.test/);
  assert.doesNotMatch(mail.headers.from, /maria/);
  assert.ok(mail.subject.includes(site.name), `the subject “${mail.subject}” names ${site.name}`);
  assert.ok(mail.text.includes(maria.message), 'the text part has the message');
  assert.ok(mail.html.includes(maria.message), 'the HTML part has the message');
  assert.ok(mail.text.includes(maria.name) && mail.text.includes(maria.phone), 'the text part has the name and phone');

  const row = inboxRow('Tromso');
  await row.waitFor({ timeout: WAIT });
  await row.getByText('Offline message', { exact: true }).waitFor({ timeout: WAIT });
  await visitor.context().close();
});

test('markup in the offline form is literal in the console and escaped in the mail', async () => {
  const visitor = await newVisitor();
  const message = `Sizes for ${MARKUP} please`;
  await leaveMessage(visitor, { name: MARKUP, email: 'mallory@example.net', message });

  const mail = await sink.waitFor((m) => sentTo(SHOP)(m) && m.text.includes('Sizes for'), 'the offline message with markup');
  assert.ok(mail.text.includes(message), 'literal in the text part');
  assert.ok(mail.html.includes('Sizes for &lt;img src=x onerror=alert(1)&gt; please'), 'escaped in the HTML part');
  assert.ok(!mail.html.includes('<img'), 'no image tag in the HTML part');

  const row = inboxRow('Sizes for');
  await row.waitFor({ timeout: WAIT });
  await row.getByText(MARKUP, { exact: true }).waitFor({ timeout: WAIT });
  await row.click();
  await operator.getByRole('log').getByText(message, { exact: true }).waitFor({ timeout: WAIT });
  const injected = await operator.evaluate(() => document.querySelectorAll('img[src="x"]').length);
  assert.equal(injected, 0);
  assert.deepEqual(dialogs, []);
  await visitor.context().close();
});

test('the operator answers an offline message in the console and the answer is mailed to the visitor', async () => {
  await inboxRow('Tromso').click();
  await operator.getByRole('log').getByText(maria.message).waitFor({ timeout: WAIT });
  await shows(operator.locator('#offline-note'), `Your reply is emailed to ${maria.email}.`);
  await operator.getByRole('button', { name: 'Take' }).click();
  const answer = 'Yes: we ship to Tromso in 3 to 5 working days.';
  await operator.getByLabel('Message').fill(answer);
  await operator.getByRole('button', { name: 'Send' }).click();
  await operator.getByRole('log').getByText(answer).waitFor({ timeout: WAIT });

  const mail = await sink.waitFor((m) => sentTo(maria.email)(m) && m.text.includes(answer), 'the answer at the visitor');
  assert.deepEqual(mail.rcpt_tos, [maria.email]);
  assert.ok(mail.subject.includes(site.name), `the subject “${mail.subject}” names ${site.name}`);
  assert.ok(mail.html.includes(answer), 'the HTML part has the answer');
  assert.match(mail.headers.from, /chat@northwind\.test/);
});

test('a visitor waiting in the queue leaves a message instead', () => withManualRouting(async () => {
  await setStatus(operator, 'online');
  const visitor = await newVisitor();
  const question = 'Is the Summit 45 backpack back in stock soon?';
  await widget(visitor).getByLabel('Message', { exact: true }).fill(question);
  await widget(visitor).getByRole('button', { name: 'Send', exact: true }).click();
  await visitor.getByRole('log').getByText(question).waitFor({ timeout: WAIT });
  await inboxRow('Summit 45').waitFor({ timeout: WAIT });

  await widget(visitor).getByRole('button', { name: 'Leave a message instead' }).click();
  const message = 'No rush: please email me when the Summit 45 is back.';
  await leaveMessage(visitor, { name: 'Ola Nordmann', email: 'ola@example.net', message });
  const mail = await sink.waitFor((m) => sentTo(SHOP)(m) && m.text.includes(message), 'the message left from the queue');
  assert.match(mail.headers['reply-to'], /ola@example\.net/);
  await inboxRow('please email me').getByText('Offline message', { exact: true }).waitFor({ timeout: WAIT });
  await visitor.context().close();
}));

test('a visitor who leaves before anyone answers is a missed chat, marked in the console and mailed to the shop', () => withManualRouting(async () => {
  await setStatus(operator, 'online');
  const visitor = await newVisitor();
  const question = 'Can I return boots bought in the sale?';
  await widget(visitor).getByLabel('Message', { exact: true }).fill(question);
  await widget(visitor).getByRole('button', { name: 'Send', exact: true }).click();
  await visitor.getByRole('log').getByText(question).waitFor({ timeout: WAIT });
  await inboxRow('boots bought in the sale').waitFor({ timeout: WAIT });
  await visitor.context().close();

  await inboxRow('boots bought in the sale').getByText('Missed', { exact: true }).waitFor({ timeout: WAIT });
  const mail = await sink.waitFor((m) => sentTo(SHOP)(m) && m.text.includes(question), 'the missed-chat mail');
  assert.ok(mail.subject.includes(site.name), `the subject “${mail.subject}” names ${site.name}`);
  assert.ok(mail.html.includes(question), 'the HTML part has the question');
  // Mailed once, though the check goes on running.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(sink.mails().filter((m) => sentTo(SHOP)(m) && m.text.includes(question)).length, 1);
}));

test('the visitor prints, emails and downloads the transcript of a chat', async () => {
  await setStatus(operator, 'online');
  const visitor = await newVisitor();
  const log = visitor.getByRole('log');
  const question = 'Does the Trail Runner fit wide feet?';
  const answer = 'It does: it comes in a wide last, marked 2E.';
  const thanks = 'Great, I will take a 44 in 2E then.';
  const composer = widget(visitor).getByLabel('Message', { exact: true });
  await composer.fill(question);
  await widget(visitor).getByRole('button', { name: 'Send', exact: true }).click();
  await log.getByText(question).waitFor({ timeout: WAIT });

  // The only operator online is given the chat at once.
  await log.getByText(`${staff.name} joined the chat`).waitFor({ timeout: WAIT });
  const row = inboxRow('Trail Runner');
  await row.waitFor({ timeout: WAIT });
  await row.click();
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  await operator.getByLabel('Message').fill(answer);
  await operator.getByRole('button', { name: 'Send' }).click();
  await log.getByText(answer).waitFor({ timeout: WAIT });
  await composer.fill(thanks);
  await widget(visitor).getByRole('button', { name: 'Send', exact: true }).click();
  await operator.getByRole('log').getByText(thanks).waitFor({ timeout: WAIT });

  // Print: a window of its own with nothing but the conversation.
  const [view] = await Promise.all([
    visitor.waitForEvent('popup', { timeout: WAIT }),
    widget(visitor).getByRole('button', { name: 'Print transcript' }).click(),
  ]);
  forbidDialogs(view, dialogs);
  await view.getByText(thanks).waitFor({ timeout: WAIT });
  const printed = await view.locator('body').innerText();
  for (const text of [question, answer, thanks, staff.name, site.name]) {
    assert.ok(printed.includes(text), `the print view has “${text}”`);
  }
  const controls = await view.locator('button, input, textarea, select, form, shopkeep-widget, [role="button"]').count();
  assert.equal(controls, 0, 'no widget controls in the print view');
  assert.equal(await view.locator('script').count(), 0);
  await view.emulateMedia({ media: 'print' });
  await view.setViewportSize({ width: 800, height: 600 });
  const shot = screenshotPath('transcript-print.png');
  await view.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 10_000, 'the print view screenshot is not blank');
  await view.close();

  // Email: the transcript mail at the address the visitor gives.
  await widget(visitor).getByRole('button', { name: 'Email transcript' }).click();
  await widget(visitor).getByLabel('Send the transcript to').fill('walker@example.org');
  await widget(visitor).getByRole('button', { name: 'Send transcript' }).click();
  await widget(visitor).getByText('The transcript is on its way to walker@example.org.').waitFor({ timeout: WAIT });
  const mail = await sink.waitFor(sentTo('walker@example.org'), 'the transcript mail');
  assert.deepEqual(mail.rcpt_tos, ['walker@example.org']);
  assert.ok(mail.subject.includes(site.name), `the subject “${mail.subject}” names ${site.name}`);
  for (const text of [question, thanks]) {
    assert.ok(mail.text.includes(text), `the transcript mail's text part has “${text}”`);
  }
  assert.ok(mail.html.includes('It does: it comes in a wide last, marked 2E.'), "the transcript mail's HTML part has the answer");

  // Download: plain text and a web page, each with the whole conversation.
  await widget(visitor).getByRole('button', { name: 'Download transcript' }).click();
  for (const [format, extension] of [
    ['Text file (.txt)', '.txt'],
    ['Web page (.html)', '.html'],
  ]) {
    const [download] = await Promise.all([
      visitor.waitForEvent('download', { timeout: WAIT }),
      widget(visitor).getByRole('button', { name: format }).click(),
    ]);
    assert.ok(download.suggestedFilename().endsWith(extension), download.suggestedFilename());
    const content = readFileSync(await download.path(), 'utf8');
    for (const text of [question, answer, thanks]) {
      assert.ok(content.includes(text), `the ${extension} download has “${text}”`);
    }
  }
  assert.deepEqual(dialogs, []);
  await operator.getByRole('button', { name: 'Close chat' }).click();
  await visitor.context().close();
});

/** A weekday key of `WeeklyHours` for `date` in UTC. */
const weekday = (date) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][date.getUTCDay()];

test('outside opening hours the widget is the offline form and says when the shop is back, operators online or not', async () => {
  await setStatus(operator, 'online');
  const open = await newVisitor();
  await widget(open).getByText('We’re online').first().waitFor({ timeout: WAIT });
  // Closed today and tomorrow (UTC), so the test cannot straddle an opening.
  const now = new Date();
  const closed = new Set([weekday(now), weekday(new Date(now.getTime() + 86_400_000))]);
  const weekly = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, closed.has(day) ? [] : [{ open: '09:00', close: '17:00' }]]),
  );
  const patched = await api('PATCH', `/api/v1/sites/${site.id}`, { hours: { time_zone: 'UTC', weekly, holidays: [] } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  try {
    // A widget that connects now, and one that was open already and is told.
    const arriving = await newVisitor();
    for (const visitor of [arriving, open]) {
      await field(visitor, 'Your name').waitFor({ timeout: WAIT });
      await widget(visitor).getByText(/^We’re back .*9:00/).waitFor({ timeout: WAIT });
      await widget(visitor).getByRole('button', { name: 'Send message' }).waitFor({ timeout: WAIT });
    }
    await arriving.context().close();
  } finally {
    const cleared = await api('PATCH', `/api/v1/sites/${site.id}`, { hours: null });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  }
  // Without hours, the online operator decides again.
  await widget(open).getByText('We’re online').first().waitFor({ timeout: WAIT });
  await field(open, 'Your name').waitFor({ state: 'detached', timeout: WAIT });
  assert.deepEqual(dialogs, []);
  await open.context().close();
});
