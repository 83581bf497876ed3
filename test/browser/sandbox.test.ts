import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { freePort, REPO, spawnBaton, waitForStatus, type BatonProcess } from '../helpers/process.js';

/*
 * The sandbox as a newcomer meets it: `npm start` with no Slack settings, then a real browser on
 * /sandbox. Every click below travels page → /sandbox/* → signed request to /slack/events → Bolt
 * → Web API calls to the built-in stand-in → back on the page.
 */

let scratch: string;
/** Where the screenshots go: the scratch folder, unless `npm run screenshots` asks for the README's. */
let shots: string;
let baton: BatonProcess | undefined;
/** How Baton was started: a restart runs it again exactly so, on the same data folder and port. */
let batonEnv: Record<string, string>;
let base: string;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'baton-sandbox-'));
  shots = process.env.SCREENSHOTS_DIR
    ? path.resolve(REPO, process.env.SCREENSHOTS_DIR)
    : path.join(scratch, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${String(port)}`;
  batonEnv = { PORT: String(port), DATA_DIR: path.join(scratch, 'db'), LOG_LEVEL: 'info' };
  baton = spawnBaton(batonEnv);
  // Generous: on a machine busy with other work, the embedded database can take half a minute to open.
  await waitForStatus(`${base}/readyz`, 200, 90_000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
}, 120_000);

// Whatever failed above, no browser or Baton process outlives the test.
afterAll(async () => {
  await browser?.close();
  if (baton) {
    baton.child.kill('SIGTERM');
    await baton.exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

interface StateMessage {
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  files?: { id: string; url_private: string }[];
}
interface SandboxState {
  people: { id: string; name: string; role: string; dm: string }[];
  messages: Record<string, StateMessage[]>;
}

/** Every image in the message pane has loaded: its bytes arrived and decoded (naturalWidth > 0). */
async function waitForImagesLoaded(): Promise<void> {
  // A string: this project's TypeScript has no DOM types.
  await page.waitForFunction(
    `(() => { const imgs = [...document.querySelectorAll('#messages figure.file img')]; return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0); })()`,
    undefined,
    { timeout: 15_000 },
  );
}

async function state(): Promise<SandboxState> {
  return (await (await fetch(`${base}/sandbox/state`)).json()) as SandboxState;
}

// Each step waits for what it expects, with deadlines far beyond a normal run: on a busy
// machine the demo import alone took 25 s, so the tests' own limit is set above their waits.
describe('sandbox mode', { timeout: 150_000 }, () => {
  it('says in one log line where the sandbox is and how to connect a real workspace', () => {
    const line = baton
      ?.output()
      .split('\n')
      .find((l) => l.includes('/sandbox'));
    expect(line).toMatch(/Sandbox mode.*http:\/\/localhost:\d+\/sandbox.*set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
  });

  it('takes a sample lead through card, reject modal and marketing thread, then answers /funnel week', async () => {
    await page.goto(`${base}/sandbox`);
    await page.getByRole('button', { name: /sales-enterprise/ }).click();

    await page.getByRole('button', { name: 'Send a sample lead' }).click();
    await expect.poll(() => page.locator('#tool-status').textContent(), { timeout: 10_000 }).toMatch(/Lead sent: mql/);
    const card = page.locator('.msg', { hasText: 'New MQL' });
    await card.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, '01-card.png') });

    // The card names its assignee; act as that rep.
    const cardMessage = (await state()).messages.C0ENTERPRISE?.find((m) => m.text.startsWith('New MQL'));
    const assignee = /<@(U[A-Z0-9]+)>/.exec(cardMessage?.text ?? '')?.[1];
    expect(assignee).toBeDefined();
    await page.locator('#person').selectOption(assignee ?? '');

    await card.getByRole('button', { name: /Reject/ }).click();
    const modal = page.locator('#modal-layer form');
    await modal.waitFor({ timeout: 10_000 });
    await expect.poll(() => modal.locator('h2').textContent()).toBe('Reject lead');
    // A reason that needs a note, submitted without one: Bolt answers with an inline error.
    await modal.locator('select').selectOption('bad-timing');
    // Picking a reason that needs a note redraws the modal: the note is no longer marked optional.
    await expect
      .poll(() => modal.locator('.input[data-block-id="reject_note"] label.title').textContent(), { timeout: 10_000 })
      .toBe('Note for marketing (needed for "Bad timing – recontact later")');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => modal.locator('.error').textContent(), { timeout: 10_000 }).toMatch(/needs a note/);
    await modal.locator('textarea').fill('Budget freeze until Q2; call again in March.');
    await page.screenshot({ path: path.join(shots, '02-reject-modal.png') });
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal.waitFor({ state: 'detached', timeout: 10_000 });

    await card.getByText(/Rejected by/).waitFor({ timeout: 15_000 });
    expect(await card.getByRole('button', { name: /Reject/ }).count()).toBe(0);
    await page.screenshot({ path: path.join(shots, '03-rejected.png') });

    await page.getByRole('button', { name: /# marketing/ }).click();
    const reply = page.locator('.thread .msg', { hasText: 'Bad timing' });
    await reply.waitFor({ timeout: 15_000 });
    expect(await reply.textContent()).toContain('Budget freeze until Q2');

    const manager = (await state()).people.find((p) => p.role === 'manager');
    await page.locator('#person').selectOption(manager?.id ?? '');
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    await page.locator('#command').fill('/funnel week');
    await page.locator('#command').press('Enter');
    const funnel = page.locator('.msg.ephemeral', { hasText: 'Funnel' });
    await funnel.waitFor({ timeout: 15_000 });
    expect(await funnel.textContent()).toMatch(/MQLs \(handoffs\)\s+1\b/);
    await page.screenshot({ path: path.join(shots, '04-funnel.png') });
  });

  it('accepts a second lead and qualifies it through the checklist modal', async () => {
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    await page.getByRole('button', { name: 'Send a sample lead' }).click();
    const cards = async (): Promise<StateMessage[]> =>
      (await state()).messages.C0ENTERPRISE?.filter((m) => m.text.startsWith('New MQL')) ?? [];
    await expect.poll(async () => (await cards()).length, { timeout: 15_000 }).toBe(2);
    const cardMessage = (await cards())[1];
    const assignee = /<@(U[A-Z0-9]+)>/.exec(cardMessage?.text ?? '')?.[1] ?? '';
    await page.locator('#person').selectOption(assignee);
    const card = page.locator(`#messages > .msg[data-ts="${cardMessage?.ts ?? ''}"]`);
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.getByRole('button', { name: 'Qualify…' }).click();
    const modal = page.locator('#modal-layer form');
    await expect.poll(() => modal.locator('h2').textContent(), { timeout: 10_000 }).toBe('Qualify as SQL');
    await modal.getByRole('button', { name: 'Qualify' }).click();
    await expect.poll(() => modal.locator('.error').textContent(), { timeout: 10_000 }).toMatch(/Needed for an SQL/);
    for (const box of await modal.locator('input[type=checkbox][data-label$="*"]').all()) await box.check();
    await modal.getByRole('button', { name: 'Qualify' }).click();
    await modal.waitFor({ state: 'detached', timeout: 10_000 });
    await card.getByText('Qualified (SQL)').waitFor({ timeout: 15_000 });
  });

  it('loads a quarter of demo history for /velocity, and shows a rep their App Home', async () => {
    await page.getByRole('button', { name: 'Load demo history' }).click();
    await expect
      .poll(() => page.locator('#tool-status').textContent(), { timeout: 90_000 })
      .toMatch(/Imported 300 leads/);
    await page.locator('#command').fill('/velocity quarter');
    await page.locator('#command').press('Enter');
    const velocity = page.locator('.msg.ephemeral', { hasText: 'Velocity' });
    await velocity.waitFor({ timeout: 15_000 });
    // Demo leads were accepted hours after their handoff: the median is a figure, not a dash.
    expect(await velocity.textContent()).toMatch(/business hours\s+\d+(\.\d+)? h/);

    const rep = (await state()).people.find((p) => p.role === 'rep');
    await page.locator('#person').selectOption(rep?.id ?? '');
    await page.getByRole('button', { name: /App Home/ }).click();
    await page.locator('#messages .b-header', { hasText: 'Baton' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#channel-header').textContent()).toBe('Baton · Home');
    await page.screenshot({ path: path.join(shots, '05-home.png') });
  });

  it('the tour reads right: only the message pane scrolls, no raw shortcode, no [object Object], no conversion over 100 %, a Home for every role', async () => {
    const manager = (await state()).people.find((p) => p.role === 'manager');
    await page.locator('#person').selectOption(manager?.id ?? '');
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    const send = async (text: string, answer: RegExp): Promise<string> => {
      const before = await page.locator('.msg.ephemeral').count();
      await page.locator('#command').fill(text);
      await page.locator('#command').press('Enter');
      await expect.poll(() => page.locator('.msg.ephemeral').count(), { timeout: 15_000 }).toBeGreaterThan(before);
      const last = (await page.locator('.msg.ephemeral').last().textContent()) ?? '';
      expect(last).toMatch(answer);
      return last;
    };
    const funnels = [await send('/funnel week', /Funnel/), await send('/funnel quarter', /Funnel/)];
    await send('/velocity', /Velocity/);
    // A command Baton does not have, and text without a slash, are answered at once.
    await send('/hello', /`?\/hello`? is not a Baton command/);
    await send('hello', /slash commands, starting with/);
    for (let i = 0; i < 4; i++) await send('/velocity quarter', /Velocity/);

    // Conversions are shares of a cohort: every rate with a decimal is at most 100 % (changes are whole percents or points).
    for (const f of funnels)
      for (const m of f.matchAll(/(\d[\d,]*\.\d) %/g)) expect(Number(m[1]!.replace(/,/g, ''))).toBeLessThanOrEqual(100);

    // Run in the page (a string: this project's TypeScript has no DOM types).
    const layout = await page.evaluate<{
      pageHeight: number;
      viewport: number;
      paneScrolls: boolean;
      composerBottom: number;
      sidebarTop: number;
      pageWidth: number;
      viewportWidth: number;
    }>(`(() => {
      const pane = document.querySelector('#messages');
      const composer = document.querySelector('#composer').getBoundingClientRect();
      const sidebar = document.querySelector('#sidebar').getBoundingClientRect();
      return { pageHeight: document.documentElement.scrollHeight, viewport: window.innerHeight, paneScrolls: pane.scrollHeight > pane.clientHeight, composerBottom: composer.bottom, sidebarTop: sidebar.top, pageWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth };
    })()`);
    expect(layout.paneScrolls).toBe(true);
    expect(layout.pageHeight).toBeLessThanOrEqual(layout.viewport);
    expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewportWidth);
    expect(layout.composerBottom).toBeLessThanOrEqual(layout.viewport);
    expect(layout.sidebarTop).toBe(0);
    await page.screenshot({ path: path.join(shots, '06-reports.png') });

    const seen: string[] = [];
    for (const role of ['rep', 'manager', 'marketer'] as const) {
      const person = (await state()).people.find((p) => p.role === role);
      await page.locator('#person').selectOption(person?.id ?? '');
      await page.getByRole('button', { name: /App Home/ }).click();
      await page.locator('#messages .b-header', { hasText: 'Baton' }).waitFor({ timeout: 15_000 });
      const home = (await page.locator('#messages').textContent()) ?? '';
      expect(home).not.toContain('not a rep');
      seen.push(home);
    }
    expect(seen[0]).toMatch(/Your open leads \(\d+\)/);
    expect(seen[1]).toMatch(/queue \(\d+\)/);
    expect(seen[2]).toContain('Your leads in sales');
    await page.screenshot({ path: path.join(shots, '07-marketing-home.png') });

    const body = await page.locator('body').innerText();
    expect(body).not.toContain('[object Object]');
    expect(body).not.toMatch(/:[a-z][a-z0-9_+-]*:/);
    // The API tokens are on the page, with a request to paste.
    expect(await page.locator('[data-testid=intake-token]').textContent()).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.locator('#api pre').first().textContent()).toMatch(
      /^curl -X POST http:\/\/127\.0\.0\.1:\d+\/api\/leads -H "Authorization: Bearer [0-9a-f]{32}"/,
    );
  });
  it("shows a report chart as an image: /funnel week chart lands in the asker's direct message with Baton", async () => {
    const manager = (await state()).people.find((p) => p.role === 'manager');
    await page.locator('#person').selectOption(manager?.id ?? '');
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    await page.locator('#command').fill('/funnel week chart');
    await page.locator('#command').press('Enter');
    // The first chart loads the chart libraries: on a busy machine that takes a while.
    await expect
      .poll(async () => (await state()).messages[manager?.dm ?? '']?.some((m) => m.files !== undefined), {
        timeout: 60_000,
      })
      .toBe(true);
    await page.locator(`#sidebar button[data-channel="${manager?.dm ?? ''}"]`).click();
    const image = page.locator('#messages figure.file img').first();
    await image.waitFor({ timeout: 15_000 });
    expect(await image.getAttribute('alt')).toMatch(/Funnel/);
    await waitForImagesLoaded();
    await page.screenshot({ path: path.join(shots, '08-chart.png') });
  });

  it('the HubSpot panel: a contact created and moved to MQL gets a card, and shows the owner written back', async () => {
    await page.goto(`${base}/sandbox`);
    const panel = page.getByTestId('hubspot');
    await panel.waitFor({ timeout: 10_000 });
    await panel.getByRole('button', { name: 'Create a contact' }).click();
    const contact = panel.locator('li').first();
    await contact.waitFor({ timeout: 10_000 });
    const name = (await contact.locator('strong').textContent()) ?? '';
    await contact.getByRole('combobox').selectOption('marketingqualifiedlead');
    await expect.poll(() => contact.locator('.facts').textContent(), { timeout: 20_000 }).toMatch(/owner \w+/);
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    await page.locator('.msg', { hasText: name }).first().waitFor({ timeout: 15_000 });
  });

  it("a restart on the same data folder keeps the channels: cards and charts are where they were, and a card's buttons still work", async () => {
    const rep = (await state()).people.find((p) => p.role === 'rep');
    const manager = (await state()).people.find((p) => p.role === 'manager');
    await page.locator('#person').selectOption(rep?.id ?? '');
    await page.getByRole('button', { name: /sales-enterprise/ }).click();
    const cards = async (): Promise<StateMessage[]> =>
      (await state()).messages.C0ENTERPRISE?.filter((m) => m.text.startsWith('New MQL')) ?? [];
    const before = (await cards()).length;
    await page.getByRole('button', { name: 'Send a sample lead' }).click();
    await expect.poll(async () => (await cards()).length, { timeout: 15_000 }).toBe(before + 1);
    const card = (await cards()).at(-1);
    const kept = await state();

    baton?.child.kill('SIGTERM');
    expect(await baton?.exited).toEqual({ code: 0, signal: null });
    baton = spawnBaton(batonEnv);
    await waitForStatus(`${base}/readyz`, 200, 90_000);

    // The page was left open: it picks the new run up by itself.
    const shown = page.locator(`#messages > .msg[data-ts="${card?.ts ?? ''}"]`);
    await shown.waitFor({ timeout: 30_000 });
    const after = await state();
    // Everything shown before is still there (the outbox may have posted more since).
    for (const channel of ['C0ENTERPRISE', 'C0MARKETING', manager?.dm ?? ''])
      expect(
        after.messages[channel]?.map((m) => [m.ts, m.text]),
        channel,
      ).toEqual(expect.arrayContaining(kept.messages[channel]?.map((m) => [m.ts, m.text]) ?? []));
    expect(await page.locator('#messages > .msg').count()).toBeGreaterThanOrEqual(before + 1);

    const assignee = /<@(U[A-Z0-9]+)>/.exec(card?.text ?? '')?.[1] ?? '';
    await page.locator('#person').selectOption(assignee);
    await shown.getByRole('button', { name: 'Accept' }).click();
    await shown.getByText(/Accepted by/).waitFor({ timeout: 15_000 });
    // Edited where it was: no card was posted afresh.
    expect((await cards()).length).toBe(before + 1);

    // The chart from before the restart is served by the new run too.
    await page.locator('#person').selectOption(manager?.id ?? '');
    await page.locator(`#sidebar button[data-channel="${manager?.dm ?? ''}"]`).click();
    await page.locator('#messages figure.file img').first().waitFor({ timeout: 15_000 });
    await waitForImagesLoaded();
  });
});
