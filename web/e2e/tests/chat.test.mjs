// The whole foundation flow in a real browser: demo shop → widget → console and back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  WAIT,
  eventually,
  forbidDialogs,
  launchChromium,
  logIn,
  screenshotPath,
  setStatus,
  startShopkeep,
} from '../harness.mjs';

const XSS = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', "{{constructor.constructor('alert(3)')()}}"];

let server;
let browser;
let operator;
let visitor;
const dialogs = [];

before(async () => {
  server = await startShopkeep();
  browser = await launchChromium();
  operator = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  visitor = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  forbidDialogs(operator, dialogs);
  forbidDialogs(visitor, dialogs);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const launcher = () => visitor.getByRole('button', { name: /Chat with us/ });
const panelLog = () => visitor.getByRole('log');
// The panel remembers being open across pages, so open it idempotently through the JS API.
const openPanel = async () => {
  await launcher().waitFor({ timeout: WAIT });
  await visitor.evaluate(() => window.Shopkeep('open'));
};
const consoleLog = () => operator.getByRole('log');

test('the launcher shows whether an operator is online', async () => {
  await logIn(operator, server.base);
  await setStatus(operator, 'away');
  await visitor.goto(`${server.base}/demo/`);
  await launcher().waitFor({ timeout: WAIT });
  await visitor.getByText('Leave a message').first().waitFor({ timeout: WAIT });
  await setStatus(operator, 'online');
  // Within 2 s of the switch every open widget reflects it.
  await visitor.getByText('We’re online').first().waitFor({ timeout: 2_000 });
});

test('a visitor message reaches the console and the operator answers', async () => {
  await launcher().click();
  const composer = visitor.getByLabel('Message');
  await composer.waitFor({ timeout: WAIT });
  await composer.fill('Is the Ridge Shell jacket waterproof?');
  await visitor.getByRole('button', { name: 'Send' }).click();
  await panelLog().getByText('Is the Ridge Shell jacket waterproof?').waitFor({ timeout: WAIT });

  // The only operator online is given the chat at once: it is in her inbox under Mine.
  await panelLog().getByText('Anna joined the chat').waitFor({ timeout: WAIT });
  const row = operator.getByRole('region', { name: /^Mine/ }).getByRole('link', { name: /Ridge Shell jacket waterproof/ });
  await row.waitFor({ timeout: WAIT });
  await row.click();
  await operator.getByText('You are handling this chat').waitFor({ timeout: WAIT });
  // Once the operator has the chat open in front of her, the visitor's message shows as read.
  await panelLog().getByText('Read', { exact: true }).first().waitFor({ timeout: WAIT });

  const reply = operator.getByLabel('Message');
  await reply.fill('Yes: 20,000 mm and taped seams.');
  await operator.getByRole('button', { name: 'Send' }).click();
  await panelLog().getByText('Yes: 20,000 mm and taped seams.').waitFor({ timeout: WAIT });
  await consoleLog().getByText('Yes: 20,000 mm and taped seams.').waitFor({ timeout: WAIT });
});

test('markup in messages is shown literally and never runs', async () => {
  const composer = visitor.getByLabel('Message');
  for (const payload of XSS) {
    await composer.fill(payload);
    await visitor.getByRole('button', { name: 'Send' }).click();
    await panelLog().getByText(payload, { exact: true }).waitFor({ timeout: WAIT });
    await consoleLog().getByText(payload, { exact: true }).waitFor({ timeout: WAIT });
  }
  const injected = await operator.evaluate(() => document.querySelectorAll('img[src="x"], main script').length);
  assert.equal(injected, 0);
  assert.deepEqual(dialogs, []);
  await visitor.screenshot({ path: screenshotPath('widget.png') });
  await operator.screenshot({ path: screenshotPath('console.png') });
});

test('a reload and another page keep the conversation', async () => {
  await visitor.reload();
  await openPanel();
  await panelLog().getByText('Yes: 20,000 mm and taped seams.').waitFor({ timeout: WAIT });
  await visitor.goto(`${server.base}/demo/cart.html`);
  await openPanel();
  await panelLog().getByText('Is the Ridge Shell jacket waterproof?').waitFor({ timeout: WAIT });
  const copies = await panelLog().getByText('Yes: 20,000 mm and taped seams.').count();
  assert.equal(copies, 1);
});

test('after the network drops, both sides get what they missed, in order, once', async () => {
  const context = visitor.context();
  await context.setOffline(true);
  const reply = operator.getByLabel('Message');
  for (const text of ['Missed one', 'Missed two', 'Missed three']) {
    await reply.fill(text);
    await operator.getByRole('button', { name: 'Send' }).click();
    await consoleLog().getByText(text).waitFor({ timeout: WAIT });
  }
  await context.setOffline(false);
  await panelLog().getByText('Missed three').waitFor({ timeout: 20_000 });
  const texts = await panelLog().locator('li, p, div').allTextContents();
  const order = ['Missed one', 'Missed two', 'Missed three'].map((t) => texts.findIndex((x) => x.includes(t)));
  assert.ok(order.every((i) => i >= 0), 'every missed message is shown');
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'in order');
  for (const text of ['Missed one', 'Missed two', 'Missed three']) {
    assert.equal(await panelLog().getByText(text, { exact: true }).count(), 1, `${text} once`);
  }
});

test('the operator closes the chat and the visitor sees it ended', async () => {
  await operator.getByRole('button', { name: 'Close chat' }).click();
  await panelLog().getByText('Chat ended').waitFor({ timeout: WAIT });
});
