// The sandbox page: a small Slack look-alike over /sandbox/state. Every click and command goes to
// the server, which sends it to Baton's /slack/events signed, exactly as Slack would.

const $ = (sel) => document.querySelector(sel);
const ui = { person: '', channel: '', view: 'channel', state: null, modalKey: '', modalErrors: {} };

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const json = await res.json().catch(() => ({}));
  // Baton's error envelope is {error: {code, message}}: show the message, never "[object Object]".
  if (!res.ok)
    throw new Error(json.error?.message ?? json.message ?? `The server answered ${res.status}; its log says more.`);
  return json;
}

// ---------- mrkdwn ----------

const escapeHtml = (s) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function nameOf(id) {
  const p = ui.state?.people.find((x) => x.id === id);
  if (p) return p.name;
  return id === 'U0BATONBOT' ? 'Baton' : id;
}

function channelNameOf(id) {
  return ui.state?.channels.find((c) => c.id === id)?.name ?? id;
}

/** Slack's text escapes only &, < and >; links and mentions are <…> spans. */
function inline(text) {
  const parts = [];
  const re = /<([^<>]+)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(emphasis(escapeHtml(unescapeSlack(text.slice(last, m.index)))));
    parts.push(special(m[1]));
    last = re.lastIndex;
  }
  parts.push(emphasis(escapeHtml(unescapeSlack(text.slice(last)))));
  return parts.join('');
}

const unescapeSlack = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function special(inner) {
  const [target, label] = inner.split('|');
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(label ?? nameOf(target.slice(1)))}</span>`;
  if (target.startsWith('#'))
    return `<span class="mention">#${escapeHtml(label ?? channelNameOf(target.slice(1)))}</span>`;
  if (target.startsWith('!'))
    return `<span class="mention">@${escapeHtml(label ?? target.slice(1).split('^')[0])}</span>`;
  const safe = /^(https?:|mailto:)/.test(target) ? target : '#';
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noreferrer">${escapeHtml(label ?? target)}</a>`;
}

function emphasis(html) {
  return (
    html
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>')
      .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1<i>$2</i>')
      .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1<s>$2</s>')
      // A shortcode the table lacks still shows as a symbol, named on hover, rather than as ":name:".
      .replace(/:([a-z][a-z0-9_+-]*):/g, (all, name) => EMOJI[name] ?? `<span class="emoji" title=":${name}:">•</span>`)
      .split('\n')
      .map((line) => (line.startsWith('&gt; ') ? `<span class="quote">${line.slice(5)}</span>` : line))
      .join('<br>')
  );
}

// Symbols from the basic plane: they show even where no colour-emoji font is installed.
const EMOJI = {
  red_circle: '●',
  large_orange_circle: '●',
  large_green_circle: '●',
  palm_tree: '☀',
  leftwards_arrow_with_hook: '↩',
  email: '✉',
  envelope: '✉',
  briefcase: '▣',
  mag: '⌕',
  calendar: '▦',
  clipboard: '▤',
  white_check_mark: '✔',
  heavy_check_mark: '✔',
  no_entry_sign: '⊘',
  no_entry: '⊘',
  warning: '⚠',
  alarm_clock: '⏰',
  rotating_light: '⚠',
  bell: '♪',
  tada: '★',
  hourglass: '⌛',
  hourglass_flowing_sand: '⌛',
  chart_with_upwards_trend: '↗',
  inbox_tray: '↓',
  x: '✖',
  arrows_counterclockwise: '↻',
  trophy: '★',
  handshake: '⇄',
  house: '⌂',
  star: '★',
};

function mrkdwn(text) {
  return String(text)
    .split(/```/)
    .map((chunk, i) =>
      i % 2 === 1 ? `<pre>${escapeHtml(unescapeSlack(chunk.replace(/^\n/, '')))}</pre>` : inline(chunk),
    )
    .join('');
}

function textObject(t) {
  if (!t) return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text) : escapeHtml(t.text).replace(/\n/g, '<br>');
}

// ---------- Block Kit ----------

/** `where` says what a button click belongs to: a message ({channel, ts}) or a view ({viewId}). */
function renderBlocks(blocks, where) {
  const box = document.createElement('div');
  box.className = 'blocks';
  for (const b of blocks ?? []) {
    const el = renderBlock(b, where);
    if (el) box.append(el);
  }
  return box;
}

function html(tag, className, inner) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (inner !== undefined) el.innerHTML = inner;
  return el;
}

function renderBlock(b, where) {
  switch (b.type) {
    case 'header':
      return html('div', 'b-header', textObject(b.text));
    case 'divider':
      return html('hr', 'b-divider');
    case 'context': {
      const el = html('div', 'b-context');
      for (const e of b.elements ?? [])
        el.append(
          e.type === 'image'
            ? Object.assign(document.createElement('img'), { src: e.image_url, alt: e.alt_text, width: 16 })
            : html('span', '', textObject(e)),
        );
      return el;
    }
    case 'section': {
      const el = html('div', 'b-section');
      const body = html('div', 'b-body');
      if (b.text) body.append(html('div', '', textObject(b.text)));
      if (b.fields) {
        const fields = html('div', 'b-fields');
        for (const f of b.fields) fields.append(html('div', '', textObject(f)));
        body.append(fields);
      }
      el.append(body);
      if (b.accessory) {
        const acc = renderElement(b.accessory, b.block_id, where);
        if (acc) el.append(acc);
      }
      return el;
    }
    case 'actions': {
      const el = html('div', 'b-actions');
      for (const e of b.elements ?? []) {
        const child = renderElement(e, b.block_id, where);
        if (child) el.append(child);
      }
      return el;
    }
    case 'image':
      return Object.assign(document.createElement('img'), {
        src: b.image_url,
        alt: b.alt_text,
        style: 'max-width: 360px',
      });
    case 'rich_text':
      return html('div', '', escapeHtml(JSON.stringify(b.elements ?? []).replace(/"text":"([^"]*)"|./g, '$1')));
    case 'input':
      return renderInput(b, where);
    default:
      return b.text ? html('div', '', textObject(b.text)) : null;
  }
}

function renderElement(e, blockId, where) {
  if (e.type === 'button') {
    const btn = html('button', `btn ${e.style ?? ''}`, textObject(e.text));
    btn.type = 'button';
    btn.dataset.actionId = e.action_id;
    btn.addEventListener('click', () => {
      if (e.url) window.open(e.url, '_blank', 'noreferrer');
      const go = () => click({ ...where, actionId: e.action_id, blockId, value: e.value ?? '' }, btn);
      if (e.confirm) confirmThen(e.confirm, go);
      else go();
    });
    return btn;
  }
  if (e.type === 'image')
    return Object.assign(document.createElement('img'), { src: e.image_url, alt: e.alt_text, width: 48 });
  return null;
}

async function click(body, btn) {
  btn.disabled = true;
  try {
    await post('/sandbox/click', { user: ui.person, ...body });
  } catch (err) {
    showError(err);
  } finally {
    btn.disabled = false;
  }
}

function confirmThen(c, go) {
  const layer = $('#confirm-layer');
  layer.innerHTML = '';
  const box = html('div', 'modal');
  box.append(html('h2', '', textObject(c.title ?? { type: 'plain_text', text: 'Are you sure?' })));
  box.append(html('div', 'body', textObject(c.text)));
  const footer = html('footer');
  const no = html('button', 'btn', textObject(c.deny ?? { type: 'plain_text', text: 'Cancel' }));
  const yes = html(
    'button',
    `btn ${c.style === 'danger' ? 'danger' : 'primary'}`,
    textObject(c.confirm ?? { type: 'plain_text', text: 'Yes' }),
  );
  no.addEventListener('click', () => {
    layer.hidden = true;
  });
  yes.addEventListener('click', () => {
    layer.hidden = true;
    go();
  });
  footer.append(no, yes);
  box.append(footer);
  layer.append(box);
  layer.hidden = false;
}

// ---------- modals ----------

function renderInput(b, where) {
  const wrap = html('div', 'input');
  wrap.dataset.blockId = b.block_id;
  const e = b.element ?? {};
  wrap.dataset.type = e.type;
  wrap.dataset.actionId = e.action_id;
  const id = `in-${b.block_id}`;
  const title = html(
    'label',
    'title',
    `${textObject(b.label)}${b.optional ? ' <span class="optional">(optional)</span>' : ''}`,
  );
  title.htmlFor = id;
  wrap.append(title);
  let control;
  if (e.type === 'plain_text_input') {
    control = document.createElement(e.multiline ? 'textarea' : 'input');
    if (!e.multiline) control.type = 'text';
    if (e.multiline) control.rows = 3;
    if (e.max_length) control.maxLength = e.max_length;
    if (e.initial_value) control.value = e.initial_value;
    if (e.placeholder) control.placeholder = e.placeholder.text;
  } else if (e.type === 'static_select') {
    control = document.createElement('select');
    control.append(new Option(e.placeholder?.text ?? 'Choose…', ''));
    const groups = e.option_groups ?? [{ options: e.options ?? [] }];
    for (const g of groups)
      for (const o of g.options)
        control.append(new Option(o.text.text, o.value, false, e.initial_option?.value === o.value));
    // dispatch_action: Slack sends the choice at once (Baton redraws the modal from it).
    if (b.dispatch_action && where?.viewId) {
      control.addEventListener('change', () => {
        const o = control.selectedOptions[0];
        if (!o || o.value === '') return;
        post('/sandbox/click', {
          user: ui.person,
          viewId: where.viewId,
          actionId: e.action_id,
          blockId: b.block_id,
          selected: { value: o.value, text: o.text },
        }).catch(showError);
      });
    }
  } else if (e.type === 'checkboxes' || e.type === 'radio_buttons') {
    control = html('div', 'choices');
    const initial = new Set((e.initial_options ?? (e.initial_option ? [e.initial_option] : [])).map((o) => o.value));
    for (const o of e.options ?? []) {
      const label = html('label', 'choice');
      const input = document.createElement('input');
      input.type = e.type === 'checkboxes' ? 'checkbox' : 'radio';
      input.name = id;
      input.value = o.value;
      input.checked = initial.has(o.value);
      input.dataset.label = o.text.text;
      label.append(input, ' ', html('span', '', textObject(o.text)));
      if (o.description) label.append(html('div', 'hint', textObject(o.description)));
      control.append(label);
    }
  } else {
    control = html('div', 'hint', `(${escapeHtml(e.type)} is not shown in the sandbox)`);
  }
  control.id = id;
  wrap.append(control);
  if (b.hint) wrap.append(html('div', 'hint', textObject(b.hint)));
  return wrap;
}

/** The modal's inputs in Slack's view.state.values shape. */
function collectValues(root) {
  const values = {};
  for (const w of root.querySelectorAll('.input')) {
    const { blockId, type, actionId } = w.dataset;
    const control = w.querySelector(`#in-${CSS.escape(blockId)}`);
    let v;
    if (type === 'plain_text_input') v = { type, value: control.value === '' ? null : control.value };
    else if (type === 'static_select') {
      const o = control.selectedOptions[0];
      v = {
        type,
        selected_option:
          o && o.value !== '' ? { text: { type: 'plain_text', text: o.text, emoji: true }, value: o.value } : null,
      };
    } else if (type === 'checkboxes') {
      v = {
        type,
        selected_options: [...control.querySelectorAll('input:checked')].map((i) => ({
          text: { type: 'plain_text', text: i.dataset.label, emoji: true },
          value: i.value,
        })),
      };
    } else if (type === 'radio_buttons') {
      const i = control.querySelector('input:checked');
      v = {
        type,
        selected_option: i
          ? { text: { type: 'plain_text', text: i.dataset.label, emoji: true }, value: i.value }
          : null,
      };
    } else continue;
    values[blockId] = { [actionId]: v };
  }
  return values;
}

function renderModal() {
  const layer = $('#modal-layer');
  const stack = ui.state.modals[ui.person] ?? [];
  const top = stack.at(-1);
  const key = top ? `${ui.person}:${top.id}:${top.hash}` : '';
  if (key === ui.modalKey) return;
  ui.modalKey = key;
  ui.modalErrors = {};
  layer.innerHTML = '';
  layer.hidden = !top;
  if (!top) return;
  const v = top.view;
  const form = html('form', 'modal');
  form.dataset.viewId = top.id;
  form.append(html('h2', '', textObject(v.title)));
  const body = html('div', 'body');
  body.append(renderBlocks(v.blocks, { viewId: top.id }));
  form.append(body);
  const footer = html('footer');
  const close = html('button', 'btn', textObject(v.close ?? { type: 'plain_text', text: 'Cancel' }));
  close.type = 'button';
  close.addEventListener('click', () => {
    post('/sandbox/close', { user: ui.person, viewId: top.id }).catch(showError);
  });
  footer.append(close);
  if (v.submit) {
    const submit = html('button', 'btn primary', textObject(v.submit));
    submit.type = 'submit';
    footer.append(submit);
  }
  form.append(footer);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitModal(form, top.id);
  });
  layer.append(form);
}

async function submitModal(form, viewId) {
  for (const el of form.querySelectorAll('.error')) el.remove();
  for (const el of form.querySelectorAll('.has-error')) el.classList.remove('has-error');
  try {
    const res = await post('/sandbox/submit', { user: ui.person, viewId, values: collectValues(form) });
    if (!res.ok && res.errors) {
      for (const [blockId, message] of Object.entries(res.errors)) {
        const w = form.querySelector(`.input[data-block-id="${CSS.escape(blockId)}"]`);
        if (!w) continue;
        w.classList.add('has-error');
        w.append(html('div', 'error', escapeHtml(message)));
      }
    }
  } catch (err) {
    showError(err);
  }
}

// ---------- channels and messages ----------

function renderSidebar() {
  const s = ui.state;
  const picker = $('#person');
  if (picker.options.length === 0) {
    const roles = [
      ['rep', 'Reps'],
      ['manager', 'Managers'],
      ['marketer', 'Marketing'],
    ];
    for (const [role, label] of roles) {
      const group = document.createElement('optgroup');
      group.label = label;
      for (const p of s.people.filter((x) => x.role === role))
        group.append(new Option(`${p.name}${p.team ? ` · ${p.team}` : ''}`, p.id));
      picker.append(group);
    }
    picker.value = ui.person;
  }
  const nav = $('#channels');
  nav.innerHTML = '';
  const me = s.people.find((p) => p.id === ui.person);
  const groups = [
    ['Channels', s.channels.filter((c) => c.kind !== 'dm')],
    ['Direct messages', s.channels.filter((c) => c.kind === 'dm')],
  ];
  for (const [label, list] of groups) {
    nav.append(html('div', 'group', label));
    for (const c of list) {
      const b = html(
        'button',
        c.id === ui.channel && ui.view === 'channel' ? 'selected' : '',
        `${c.kind === 'dm' ? '' : '# '}${escapeHtml(c.name)}${c.kind === 'dm' && c.user === me?.id ? ' (you)' : ''}`,
      );
      b.type = 'button';
      b.dataset.channel = c.id;
      const n = (s.messages[c.id] ?? []).length;
      if (n > 0) b.append(html('span', 'count', String(n)));
      b.addEventListener('click', () => {
        ui.channel = c.id;
        ui.view = 'channel';
        render();
      });
      nav.append(b);
    }
  }
  $('#open-home').classList.toggle('selected', ui.view === 'home');
}

function messageEl(m, opts = {}) {
  const el = html('div', `msg${opts.ephemeral ? ' ephemeral' : ''}`);
  el.dataset.ts = m.ts;
  const who = m.user === 'U0BATONBOT' || opts.ephemeral ? 'Baton' : nameOf(m.user);
  el.append(html('div', 'avatar', escapeHtml(who.slice(0, 1))));
  const body = html('div', 'content');
  // In the policy's zone, like the times Baton writes on its cards, not the browser's.
  const time = new Date(Number(m.ts) * 1000).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: ui.state.timeZone,
  });
  body.append(
    html(
      'div',
      '',
      `<span class="who">${escapeHtml(who)}</span><span class="when">${time}</span>${m.edited ? '<span class="edited">(edited)</span>' : ''}${opts.ephemeral ? '<span class="only-you">Only visible to you</span>' : ''}`,
    ),
  );
  const where = opts.ephemeral ? { channel: m.channel, ts: m.ts } : { channel: m.channel, ts: m.ts };
  body.append(m.blocks && m.blocks.length > 0 ? renderBlocks(m.blocks, where) : html('div', 'blocks', mrkdwn(m.text)));
  // Uploaded files (report charts): shown like Slack shows an image, served by the stand-in.
  for (const f of m.files ?? []) {
    const fig = html('figure', 'file');
    const img = document.createElement('img');
    img.src = f.url_private;
    img.alt = f.alt_txt ?? f.title;
    fig.append(img, html('figcaption', '', escapeHtml(f.title)));
    body.append(fig);
  }
  el.append(body);
  return el;
}

function renderMessages() {
  const s = ui.state;
  const box = $('#messages');
  const keepBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 40;
  box.innerHTML = '';
  if (ui.view === 'home') {
    $('#channel-header').textContent = 'Baton · Home';
    const home = s.homes[ui.person];
    box.append(
      home ? renderBlocks(home.view.blocks, { viewId: home.id }) : html('div', 'empty', 'Opening the App Home…'),
    );
    return;
  }
  $('#channel-header').textContent = `${ui.channel.startsWith('D') ? '' : '# '}${channelNameOf(ui.channel)}`;
  const all = s.messages[ui.channel] ?? [];
  const parents = all.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const mine = (s.ephemeral[ui.person] ?? [])
    .filter((e) => e.channel === ui.channel)
    .map((e) => ({ ...e, ephemeral: true }));
  const timeline = [...parents, ...mine].sort((a, b) => Number(a.ts) - Number(b.ts));
  if (timeline.length === 0)
    box.append(html('div', 'empty', 'No messages yet. Send a sample lead, or type a command below.'));
  for (const m of timeline) {
    const el = messageEl(m, { ephemeral: m.ephemeral });
    const replies = all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
    if (!m.ephemeral && replies.length > 0) {
      const thread = html('div', 'thread');
      thread.append(html('div', 'only-you', `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`));
      for (const r of replies) thread.append(messageEl(r));
      el.querySelector('.content').append(thread);
    }
    box.append(el);
  }
  if (keepBottom) box.scrollTop = box.scrollHeight;
}

/** The API tokens the sandbox made up, with a request to paste, so the API can be tried too. */
function renderApi() {
  const api = ui.state.api;
  const box = $('#api');
  if (!api || box.dataset.shown === '1') return;
  box.dataset.shown = '1';
  const origin = location.origin;
  const lead = `curl -X POST ${origin}/api/leads -H "Authorization: Bearer ${api.intakeToken}" -H "Content-Type: application/json" -d '{"source":"web","email":"ada@example.com","firstName":"Ada","company":"Example AB","country":"SE","mql":true}'`;
  const report = `curl -H "Authorization: Bearer ${api.reportsToken}" "${origin}/api/reports/funnel?period=quarter"`;
  box.hidden = false;
  box.querySelector('.api-body').innerHTML = [
    `<div>INTAKE_TOKEN <code data-testid="intake-token">${escapeHtml(api.intakeToken)}</code></div>`,
    `<div>REPORTS_TOKEN <code data-testid="reports-token">${escapeHtml(api.reportsToken)}</code></div>`,
    `<pre>${escapeHtml(lead)}</pre>`,
    `<pre>${escapeHtml(report)}</pre>`,
  ].join('');
}

function render() {
  if (!ui.state) return;
  renderApi();
  renderSidebar();
  renderMessages();
  renderModal();
}

function showError(err) {
  $('#command-error').textContent = err instanceof Error ? err.message : String(err);
}

// ---------- wiring ----------

async function poll() {
  let since = -1;
  for (;;) {
    try {
      const res = await fetch(since < 0 ? '/sandbox/state' : `/sandbox/state?since=${since}`);
      ui.state = await res.json();
      since = ui.state.version;
      if (!ui.person) ui.person = (ui.state.people.find((p) => p.role === 'rep') ?? ui.state.people[0]).id;
      if (!ui.channel) ui.channel = ui.state.channels[0].id;
      render();
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// ---------- HubSpot panel ----------

function renderHubspot(h) {
  const list = $('#hubspot-contacts');
  list.replaceChildren(
    ...h.contacts.map((c) => {
      const li = document.createElement('li');
      li.dataset.contact = c.id;
      const facts = [
        c.email,
        c.owner && `owner ${c.owner}`,
        c.leadStatus && `status ${c.leadStatus}`,
        c.notes.length > 0 && `${c.notes.length} note${c.notes.length > 1 ? 's' : ''}`,
      ].filter(Boolean);
      li.innerHTML = `<strong>${escapeHtml(c.name)}</strong><span class="facts">${escapeHtml(facts.join(' · '))}</span>`;
      const select = document.createElement('select');
      select.setAttribute('aria-label', `Lifecycle stage of ${c.name}`);
      for (const s of ['', ...h.stages]) select.append(new Option(s || '(none)', s, false, s === c.lifecyclestage));
      select.addEventListener('change', () => {
        post('/sandbox/hubspot/stage', { contactId: c.id, stage: select.value }).catch(showError);
      });
      li.append(select);
      return li;
    }),
  );
}

/** The HubSpot panel follows the stand-in's contacts with a long poll of its own; absent when a real HubSpot is connected. */
async function pollHubspot() {
  let since = -1;
  for (;;) {
    try {
      const res = await fetch(since < 0 ? '/sandbox/hubspot' : `/sandbox/hubspot?since=${since}`);
      if (res.status === 404) return;
      const h = await res.json();
      since = h.version;
      $('#hubspot').hidden = false;
      renderHubspot(h);
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function wire() {
  $('#person').addEventListener('change', (ev) => {
    ui.person = ev.target.value;
    ui.modalKey = '';
    if (ui.view === 'home') post('/sandbox/home', { user: ui.person }).catch(showError);
    render();
  });
  $('#open-home').addEventListener('click', () => {
    ui.view = 'home';
    render();
    post('/sandbox/home', { user: ui.person }).catch(showError);
  });
  $('#composer').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('#command');
    const text = input.value.trim();
    if (!text) return;
    showError('');
    const me = ui.state.people.find((p) => p.id === ui.person);
    try {
      await post('/sandbox/command', { user: ui.person, channel: ui.view === 'home' ? me.dm : ui.channel, text });
      input.value = '';
    } catch (err) {
      showError(err);
    }
  });
  const tool = (id, path, describe) =>
    $(id).addEventListener('click', async () => {
      $('#tool-status').textContent = 'Working…';
      try {
        $('#tool-status').textContent = describe(await post(path));
      } catch (err) {
        $('#tool-status').textContent = err.message;
      }
    });
  tool('#send-lead', '/sandbox/lead', (r) => `Lead sent: ${r.stage}, score ${r.score}`);
  tool('#load-demo', '/sandbox/demo', (r) => `Imported ${r.imported} leads (${r.skipped} already there)`);
  $('#hubspot-contact').addEventListener('click', () => {
    post('/sandbox/hubspot/contact').catch(showError);
  });
}

wire();
poll();
pollHubspot();
