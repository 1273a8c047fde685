// Team work in a real browser, each member of staff in a browser of their own: supervision
// (whisper, join), transfers, the queue, departments, canned answers and the internal chat.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';

import {
  WAIT,
  eventually,
  forbidDialogs,
  launchChromium,
  logIn,
  operator as anna,
  restAs,
  screenshotPath,
  setStatus,
  startShopkeep,
} from '../harness.mjs';

const ben = { email: 'ben@shop.test', name: 'Ben' };
const sam = { email: 'sam@shop.test', name: 'Sam' };
// Changes settings over REST only: never opens a console, so is never online to take chats.
const ada = { email: 'ada@shop.test', name: 'Ada' };

let browser;
let server;
let admin;
let site;
const contexts = [];
const dialogs = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A fresh shop for each test: Anna and Ben operate, Sam supervises, Ada administers. */
async function startShop() {
  server = await startShopkeep({
    staff: [
      { ...ben, role: 'operator' },
      { ...sam, role: 'supervisor' },
      { ...ada, role: 'admin' },
    ],
  });
  admin = await restAs(server.base, ada);
  const sites = await admin.api('GET', '/api/v1/sites');
  assert.equal(sites.status, 200);
  site = sites.body.find((s) => s.slug === 'demo') ?? sites.body[0];
}

afterEach(async () => {
  while (contexts.length) await contexts.pop().close();
  await server?.stop();
  server = undefined;
  assert.deepEqual(dialogs, [], 'no page opened a dialog');
});

async function newPage(viewport) {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  contexts.push(context);
  const page = await context.newPage();
  forbidDialogs(page, dialogs);
  return page;
}

/** `who`'s console, logged in, with their status set when `status` is given. */
async function newConsole(who, status) {
  const page = await newPage({ width: 1440, height: 900 });
  await logIn(page, server.base, who);
  if (status) await setStatus(page, status);
  return page;
}

/**
 * A visitor on the demo shop with the chat panel open. `frames` collects the text of every
 * WebSocket frame the page receives, to check what the server sent it.
 */
async function newVisitor() {
  const page = await newPage({ width: 1280, height: 900 });
  const frames = [];
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => frames.push(String(payload))));
  await page.goto(`${server.base}/demo/`);
  await widget(page).getByRole('button', { name: /Chat with us/ }).waitFor({ timeout: WAIT });
  await page.evaluate(() => window.Shopkeep('open'));
  return { page, frames };
}

const widget = (page) => page.locator('shopkeep-widget');
const panelLog = (page) => widget(page).getByRole('log');
const consoleLog = (page) => page.getByRole('log', { name: 'Chat history' });
const region = (page, name) => page.getByRole('region', { name: new RegExp(`^${name}`) });
/** The console's inbox rows for conversation `id` (a supervisor's inbox may list it twice). */
const rowOf = (page, id) => page.getByRole('navigation', { name: 'Conversations' }).locator(`a[href$="/c/${id}"]`);

async function visitorSays(page, text) {
  const composer = widget(page).getByLabel('Message', { exact: true });
  await composer.waitFor({ timeout: WAIT });
  await composer.fill(text);
  await widget(page).getByRole('button', { name: 'Send', exact: true }).click();
  await panelLog(page).getByText(text, { exact: true }).waitFor({ timeout: WAIT });
}

async function staffSays(page, text) {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await consoleLog(page).getByText(text, { exact: true }).waitFor({ timeout: WAIT });
}

/** Opens the chat whose inbox row, under `section`, shows `text`; returns its id. */
async function openChat(page, section, text) {
  const row = region(page, section).getByRole('link').filter({ hasText: text });
  await row.waitFor({ timeout: WAIT });
  const id = (await row.getAttribute('href')).split('/').pop();
  await row.click();
  await consoleLog(page).waitFor({ timeout: WAIT });
  return id;
}

/** Waits until `locator`'s text contains (or matches) `text`; the failure names what it showed instead. */
async function shows(locator, text) {
  let seen = '';
  const has = (value) => (typeof text === 'string' ? value.includes(text) : text.test(value));
  try {
    await eventually(async () => has((seen = (await locator.textContent({ timeout: 1_000 }).catch(() => '')) ?? '')), `“${text}”`);
  } catch (error) {
    throw new Error(`${error.message}; it shows “${seen}”`);
  }
}

/** Every text and attribute value in the page, its frames and their open shadow roots. */
async function everything(page) {
  const parts = [];
  for (const frame of page.frames()) {
    parts.push(
      ...(await frame.evaluate(() => {
        const found = [];
        const walk = (root) => {
          for (const el of root.querySelectorAll('*')) {
            if (el.childNodes) for (const node of el.childNodes) if (node.nodeType === Node.TEXT_NODE) found.push(node.data);
            for (const attr of el.attributes) found.push(attr.value);
            if ('value' in el && typeof el.value === 'string') found.push(el.value);
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        walk(document);
        return found;
      })),
    );
  }
  return parts.join('\n');
}

async function staffId(email) {
  const staff = await admin.api('GET', '/api/v1/staff');
  assert.equal(staff.status, 200);
  return staff.body.find((s) => s.email === email).id;
}

test('a whisper reaches the operator only; a supervisor who joins is seen by the visitor', async () => {
  await startShop();
  const operator = await newConsole(anna, 'online');
  const supervisor = await newConsole(sam);
  const { page: visitor, frames } = await newVisitor();
  const question = 'Can I swap the Ridge Shell for a larger size?';
  await visitorSays(visitor, question);
  // Anna is the only one online: the chat is hers at once.
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  const id = await openChat(operator, 'Mine', question);
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  await setStatus(supervisor, 'online');

  // The supervisor opens the chat from the list of every chat: read-only, nothing to reply with.
  await region(supervisor, 'All chats').locator(`a[href$="/c/${id}"]`).click();
  await consoleLog(supervisor).getByText(question, { exact: true }).waitFor({ timeout: WAIT });
  const monitor = supervisor.getByRole('group', { name: 'You are watching this chat. The visitor does not see you.' });
  await monitor.waitFor({ timeout: WAIT });
  assert.equal(await supervisor.getByRole('textbox', { name: 'Message', exact: true }).count(), 0, 'no reply box while monitoring');

  const whisper = 'Offer the free returns label before the exchange.';
  await monitor.getByRole('button', { name: 'Whisper' }).click();
  const whisperBox = supervisor.getByRole('textbox', { name: 'Whisper', exact: true });
  await whisperBox.fill(whisper);
  await whisperBox.press('Enter');
  await consoleLog(supervisor).getByText(whisper, { exact: true }).waitFor({ timeout: WAIT });

  // The operator sees it, marked as for staff only.
  const whispered = consoleLog(operator).locator('li[data-kind="whisper"]').filter({ hasText: whisper });
  await whispered.waitFor({ timeout: WAIT });
  await shows(whispered, 'Only staff see this');
  await shows(whispered, 'Sam');
  await supervisor.screenshot({ path: screenshotPath('supervisor-whisper.png') });

  // The operator's next reply reaches the visitor; the whisper, sent before it, never does.
  const reply = 'Of course: I will send you a free returns label for the exchange.';
  await staffSays(operator, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
  assert.ok(!(await panelLog(visitor).textContent()).includes(whisper), 'the panel does not show the whisper');
  assert.equal(await visitor.getByText(whisper).count(), 0, 'no element of the shop page holds the whisper');
  assert.ok(!(await everything(visitor)).includes(whisper), 'no text or attribute of the shop page holds the whisper');
  assert.ok(!frames.some((frame) => frame.includes(whisper)), 'the server never sent the whisper to the visitor');
  assert.ok(frames.some((frame) => frame.includes(reply)), 'the visitor socket was watched');

  // Joining makes the supervisor a second participant the visitor sees.
  await supervisor.getByRole('button', { name: 'Join', exact: true }).click();
  await panelLog(visitor).getByText('Sam joined the chat').waitFor({ timeout: WAIT });
  await supervisor.getByText('You joined Anna’s chat').waitFor({ timeout: WAIT });
  const fromSam = 'Hello, I am Sam, Anna’s colleague: the exchange is free of charge.';
  await staffSays(supervisor, fromSam);
  await panelLog(visitor).getByText(fromSam, { exact: true }).waitFor({ timeout: WAIT });
  const text = await panelLog(visitor).textContent();
  assert.ok(text.indexOf('Sam joined the chat') < text.indexOf(fromSam), 'the join comes before Sam’s message');
  assert.ok(!text.includes(whisper));
  await shows(consoleLog(operator), fromSam);
});

test('a chat is transferred to a colleague with a note, who accepts it and carries on', async () => {
  await startShop();
  const first = await newConsole(anna, 'online');
  const second = await newConsole(ben);
  const { page: visitor } = await newVisitor();
  const question = 'Where is my order 10452? It was due on Monday.';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  await setStatus(second, 'online');
  const id = await openChat(first, 'Mine', question);
  const answer = 'Let me check that for you.';
  await staffSays(first, answer);
  await panelLog(visitor).getByText(answer, { exact: true }).waitFor({ timeout: WAIT });

  const note = 'Order 10452 is held at the Oslo depot; Ben handles the courier.';
  await first.getByRole('button', { name: 'Transfer', exact: true }).click();
  const dialog = first.getByRole('dialog', { name: 'Transfer chat' });
  await dialog.getByRole('radio', { name: /^Ben/ }).check();
  await dialog.getByLabel('Note for whoever takes it (optional)').fill(note);
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: WAIT });

  // Ben gets the offer with the note, and accepts.
  const offer = second.getByRole('alertdialog').filter({ hasText: 'Anna offers you the chat' });
  await offer.waitFor({ timeout: WAIT });
  await shows(offer, `Note: ${note}`);
  await offer.getByRole('button', { name: 'Accept', exact: true }).click();
  await offer.waitFor({ state: 'hidden', timeout: WAIT });

  await panelLog(visitor).getByText('Ben took over the chat').waitFor({ timeout: WAIT });
  await first.getByText('Ben accepted the chat.').waitFor({ timeout: WAIT });

  // The chat is Ben's now, with everything said before and the note.
  await region(second, 'Mine').locator(`a[href$="/c/${id}"]`).click();
  await second.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  const log = consoleLog(second);
  await log.getByText(question, { exact: true }).waitFor({ timeout: WAIT });
  await log.getByText(answer, { exact: true }).waitFor({ timeout: WAIT });
  const noted = log.locator('li[data-kind="note"]').filter({ hasText: note });
  await noted.waitFor({ timeout: WAIT });
  await shows(noted, 'Only staff see this');
  const reply = 'Ben here: your parcel leaves the Oslo depot today.';
  await staffSays(second, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
  assert.ok(!(await panelLog(visitor).textContent()).includes(note), 'the visitor never sees the note');
});

test('visitors beyond the operator’s maximum wait in line and move up as chats close', async () => {
  await startShop();
  const limited = await admin.api('PATCH', `/api/v1/staff/${await staffId(anna.email)}`, { max_chats: 1 });
  assert.equal(limited.status, 200, JSON.stringify(limited.body));
  assert.equal(limited.body.max_chats, 1);
  const operator = await newConsole(anna, 'online');
  const place = (page) => widget(page).getByRole('status').filter({ hasText: /You are number/ });

  const one = (await newVisitor()).page;
  await visitorSays(one, 'First in: do you sell gas canisters?');
  await panelLog(one).getByText('Anna joined the chat').waitFor({ timeout: WAIT });

  const two = (await newVisitor()).page;
  await visitorSays(two, 'Second: is the Cairn daypack carry-on size?');
  await shows(place(two), /^You are number 1 in line\b/);

  const three = (await newVisitor()).page;
  await visitorSays(three, 'Third: can I pick up in store?');
  await shows(place(three), /^You are number 2 in line\b/);
  await shows(place(two), /^You are number 1 in line\b/);
  assert.equal(await panelLog(two).getByText('Anna joined the chat').count(), 0, 'the second visitor waits');
  await three.screenshot({ path: screenshotPath('queue.png') });
  // The operator sees the same line, oldest first.
  const waiting = region(operator, 'Waiting').getByRole('link');
  await shows(waiting.filter({ hasText: 'carry-on size' }), 'No. 1 in queue');
  await shows(waiting.filter({ hasText: 'pick up in store' }), 'No. 2 in queue');
  assert.equal(await waiting.count(), 2);

  // Anna closes the first chat: her one slot goes to the second visitor, the third moves up.
  await openChat(operator, 'Mine', 'gas canisters');
  await operator.getByRole('button', { name: 'Close chat' }).click();
  await panelLog(one).getByText('Chat ended').waitFor({ timeout: WAIT });
  await panelLog(two).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  await place(two).waitFor({ state: 'detached', timeout: WAIT });
  await shows(place(three), /^You are number 1 in line\b/);
  assert.equal(await panelLog(three).getByText('Anna joined the chat').count(), 0, 'the third visitor still waits');
  await region(operator, 'Mine').getByRole('link').filter({ hasText: 'carry-on size' }).waitFor({ timeout: WAIT });
});

test('a visitor who chooses a department is answered there, and not seen by other departments', async () => {
  await startShop();
  const department = async (name, member) => {
    const created = await admin.api('POST', '/api/v1/departments', {
      site_id: site.id,
      name,
      routing: 'least_busy',
      public: true,
      pages: [],
      notify_address: null,
      members: [await staffId(member.email)],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  };
  await department('Sales', anna);
  await department('Delivery', ben);
  const chat = await admin.api('PATCH', `/api/v1/sites/${site.id}`, { chat: { ...site.chat, choose_department: true } });
  assert.equal(chat.status, 200, JSON.stringify(chat.body));
  const sales = await newConsole(anna, 'online');
  const delivery = await newConsole(ben, 'online');

  const { page: visitor } = await newVisitor();
  await widget(visitor).getByText('What can we help with?').waitFor({ timeout: WAIT });
  await widget(visitor).getByRole('button', { name: 'Sales', exact: true }).waitFor({ timeout: WAIT });
  await widget(visitor).getByRole('button', { name: 'Delivery', exact: true }).click();
  await widget(visitor).getByText('Your chat goes to: Delivery').waitFor({ timeout: WAIT });
  const question = 'Can you deliver to a parcel locker in Bergen?';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Ben joined the chat').waitFor({ timeout: WAIT });
  const id = await openChat(delivery, 'Mine', question);
  await delivery.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  const reply = 'Yes, any Bergen locker works.';
  await staffSays(delivery, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });

  // Anna, in Sales only, sees nothing of it. A later chat for Sales reaches her console
  // after anything about the first would have, live and after a reload.
  const other = (await newVisitor()).page;
  await widget(other).getByRole('button', { name: 'Sales', exact: true }).click();
  const forSales = 'Is the Summit 45 on sale this week?';
  await visitorSays(other, forSales);
  await panelLog(other).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  const inbox = sales.getByRole('navigation', { name: 'Conversations' });
  for (const when of ['live', 'after a reload']) {
    if (when !== 'live') await sales.reload();
    await region(sales, 'Mine').getByRole('link').filter({ hasText: forSales }).waitFor({ timeout: WAIT });
    assert.equal(await rowOf(sales, id).count(), 0, `no row for the Delivery chat ${when}`);
    assert.equal(await inbox.getByText(question).count(), 0, `nothing of the Delivery chat ${when}`);
  }
  const asAnna = await restAs(server.base, anna);
  assert.equal((await asAnna.api('GET', `/api/v1/conversations/${id}/events?after=0`)).status, 404);
  const listed = await asAnna.api('GET', '/api/v1/conversations?status=active');
  assert.equal(listed.status, 200);
  assert.ok(!listed.body.some((c) => c.id === id), 'not in Anna’s list of active chats');
});

test('a shared canned answer is found with /shortcut and sent with the visitor’s name as text', async () => {
  await startShop();
  const created = await admin.api('POST', '/api/v1/canned', {
    site_id: site.id,
    shortcut: 'thanks',
    title: 'Thank the visitor',
    text: 'Thank you, {visitor.name}! Your order ships today.',
    variants: {},
    shared: true,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const operator = await newConsole(anna, 'online');

  const name = '<b>Mallory</b>';
  const { page: visitor } = await newVisitor();
  await visitor.evaluate((name) => window.Shopkeep('identify', { name }), name);
  const question = 'Has my order shipped yet?';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  await openChat(operator, 'Mine', question);
  // The console names the visitor literally, as the shop told the widget.
  await operator.getByRole('main').getByRole('heading', { name, exact: true }).waitFor({ timeout: WAIT });

  const box = operator.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill('/thanks');
  const option = operator.getByRole('listbox', { name: 'Canned answers' }).getByRole('option').filter({ hasText: '/thanks' });
  await option.click();
  const filled = `Thank you, ${name}! Your order ships today.`;
  await eventually(async () => (await box.inputValue()) === filled, 'the filled canned answer in the composer');
  await box.press('Enter');
  await consoleLog(operator).getByText(filled, { exact: true }).waitFor({ timeout: WAIT });

  await panelLog(visitor).getByText(filled, { exact: true }).waitFor({ timeout: WAIT });
  const bold = (page) =>
    page.evaluate(() =>
      [document, document.querySelector('shopkeep-widget')?.shadowRoot]
        .filter(Boolean)
        .flatMap((root) => [...root.querySelectorAll('b')])
        .filter((b) => b.textContent.includes('Mallory')).length,
    );
  assert.equal(await bold(visitor), 0, 'the name is text in the widget, not markup');
  assert.equal(await bold(operator), 0, 'the name is text in the console, not markup');
});

test('a direct message in the internal chat shows as unread in the colleague’s header', async () => {
  await startShop();
  const operator = await newConsole(anna, 'online');
  const supervisor = await newConsole(sam, 'online');
  const text = 'Sam, could you look at the Bergen delivery chat when you have a minute?';

  await operator.getByRole('button', { name: 'Team chat' }).click();
  await operator.getByRole('navigation', { name: 'Team chat rooms' }).getByRole('button', { name: /Sam/ }).click();
  const box = operator.getByRole('textbox', { name: 'Message to Sam' });
  await box.fill(text);
  await box.press('Enter');
  await operator.locator('#internal-chat').getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await operator.locator('.ichat__msg--pending').waitFor({ state: 'detached', timeout: WAIT });

  // Sam's header counts it, and the drawer shows it in the room with Anna.
  const button = supervisor.getByRole('button', { name: /Team chat/ });
  await button.getByLabel('1 unread team messages').waitFor({ timeout: WAIT });
  await button.click();
  const room = supervisor.getByRole('navigation', { name: 'Team chat rooms' }).getByRole('button', { name: /Anna/ });
  await room.getByLabel('1 unread').waitFor({ timeout: WAIT });
  await room.click();
  const drawer = supervisor.locator('#internal-chat');
  await drawer.getByText(text, { exact: true }).waitFor({ timeout: WAIT });
  await shows(drawer.locator('.ichat__msg').filter({ hasText: text }), 'Anna');
  // Read once seen.
  await button.getByLabel('1 unread team messages').waitFor({ state: 'detached', timeout: WAIT });
});

test('a supervisor takes over a chat: the visitor sees who, and the operator can no longer reply', async () => {
  await startShop();
  const operator = await newConsole(anna, 'online');
  const supervisor = await newConsole(sam);
  const { page: visitor } = await newVisitor();
  const question = 'I was charged twice for order 10488.';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  const id = await openChat(operator, 'Mine', question);
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });

  await rowOf(supervisor, id).first().click();
  const monitor = supervisor.getByRole('group', { name: 'You are watching this chat. The visitor does not see you.' });
  await monitor.getByRole('button', { name: 'Take over', exact: true }).click();
  await panelLog(visitor).getByText('Sam took over the chat').waitFor({ timeout: WAIT });
  await supervisor.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  await operator.getByText('Sam is handling this chat').waitFor({ timeout: WAIT });
  await operator.getByRole('textbox', { name: 'Message', exact: true }).waitFor({ state: 'detached', timeout: WAIT });

  const reply = 'Sam here: the second charge is refunded today.';
  await staffSays(supervisor, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
});

test('with sneak peek on the operator sees the draft as it is typed, and receipts show read both ways', async () => {
  await startShop();
  const chat = await admin.api('PATCH', `/api/v1/sites/${site.id}`, { chat: { ...site.chat, sneak_peek: true } });
  assert.equal(chat.status, 200, JSON.stringify(chat.body));
  const operator = await newConsole(anna, 'online');
  const { page: visitor } = await newVisitor();
  const question = 'Do the Trail Runners come in half sizes?';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  await openChat(operator, 'Mine', question);
  // The operator has the chat open: the visitor's message is read.
  await panelLog(visitor).getByText('Read', { exact: true }).waitFor({ timeout: WAIT });

  const draft = 'And is 44.5 in stock in Ember';
  await widget(visitor).getByLabel('Message', { exact: true }).fill(draft);
  await operator.getByText(`Typing: ${draft}`).waitFor({ timeout: WAIT });

  // The visitor has the panel open and the tab visible: the operator's answer is read.
  const reply = 'Yes, half sizes from 38 to 47.';
  await staffSays(operator, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
  await shows(consoleLog(operator).locator('li').filter({ hasText: reply }), 'Read');
});

test('notes stay with staff, and tags find the chat in the history', async () => {
  await startShop();
  const operator = await newConsole(anna, 'online');
  const { page: visitor, frames } = await newVisitor();
  const question = 'Can I have the Ridge Shell gift wrapped?';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  const id = await openChat(operator, 'Mine', question);

  const note = 'Gift wrap is free for orders over 150.';
  await operator.getByRole('group', { name: 'Write as' }).getByRole('button', { name: 'Note', exact: true }).click();
  const box = operator.getByRole('textbox', { name: 'Note', exact: true });
  await box.fill(note);
  await box.press('Enter');
  const noted = consoleLog(operator).locator('li[data-kind="note"]').filter({ hasText: note });
  await noted.waitFor({ timeout: WAIT });
  await shows(noted, 'Only staff see this');

  const tags = operator.getByRole('region', { name: 'Tags' });
  await tags.getByLabel('New tag').fill('Gift-Wrap');
  await tags.getByRole('button', { name: 'Add', exact: true }).click();
  await tags.getByRole('button', { name: 'Remove tag gift-wrap' }).waitFor({ timeout: WAIT });

  await operator.getByRole('group', { name: 'Write as' }).getByRole('button', { name: 'Reply', exact: true }).click();
  const reply = 'Yes, and it is free on this order.';
  await staffSays(operator, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
  assert.ok(!(await everything(visitor)).includes(note), 'the shop page never holds the note');
  assert.ok(!frames.some((frame) => frame.includes(note)), 'the server never sent the note to the visitor');

  await operator.getByRole('link', { name: 'History', exact: true }).click();
  await operator.getByLabel('Tag', { exact: true }).fill('gift-wrap');
  await operator.getByRole('button', { name: 'Search', exact: true }).click();
  const results = operator.getByRole('main').getByRole('table');
  await results.locator(`a[href$="/c/${id}"]`).waitFor({ timeout: WAIT });
  await operator.getByLabel('Tag', { exact: true }).fill('returns');
  await operator.getByRole('button', { name: 'Search', exact: true }).click();
  await operator.getByText('No conversations match.').waitFor({ timeout: WAIT });
});

test('a declined transfer leaves the chat with its operator; a transfer to a department hands it on there', async () => {
  await startShop();
  const created = await admin.api('POST', '/api/v1/departments', {
    site_id: site.id,
    name: 'Returns',
    routing: 'least_busy',
    public: false,
    pages: [],
    notify_address: null,
    members: [await staffId(ben.email)],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const first = await newConsole(anna, 'online');
  const second = await newConsole(ben);
  const { page: visitor } = await newVisitor();
  const question = 'The zip on my Ridge Shell broke after a week.';
  await visitorSays(visitor, question);
  await panelLog(visitor).getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  await setStatus(second, 'online');
  const id = await openChat(first, 'Mine', question);

  const transfer = async (target) => {
    await first.getByRole('button', { name: 'Transfer', exact: true }).click();
    const dialog = first.getByRole('dialog', { name: 'Transfer chat' });
    await dialog.getByRole('radio', { name: target }).check();
    await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: WAIT });
  };

  await transfer(/^Ben/);
  const offer = second.getByRole('alertdialog').filter({ hasText: 'Anna offers you the chat' });
  await offer.getByRole('button', { name: 'Decline', exact: true }).click();
  await first.getByText('Ben declined the chat; it stays with you.').waitFor({ timeout: WAIT });
  await first.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  const still = 'Sorry about that: I am still here.';
  await staffSays(first, still);
  await panelLog(visitor).getByText(still, { exact: true }).waitFor({ timeout: WAIT });
  assert.equal(await panelLog(visitor).getByText(/took over the chat/).count(), 0);

  // To the Returns department: back in its queue, where routing gives it to Ben.
  await transfer(/^Returns/);
  await panelLog(visitor).getByText('You were transferred to Returns').waitFor({ timeout: WAIT });
  await panelLog(visitor).getByText('Ben joined the chat').waitFor({ timeout: WAIT });
  await region(second, 'Mine').locator(`a[href$="/c/${id}"]`).click();
  await second.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  const reply = 'Ben from Returns: a repair label is on its way.';
  await staffSays(second, reply);
  await panelLog(visitor).getByText(reply, { exact: true }).waitFor({ timeout: WAIT });
});
