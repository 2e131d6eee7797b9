// The usage dashboard: cards and balances from /api/dashboard, a chat that refreshes them. Plain
// JavaScript, no build step. The thresholds come from the server's usage level (75 % and 90 %).
'use strict';

const numbers = new Intl.NumberFormat('en-US');
const dates = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const shortDates = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

const LEVELS = {
  OK: { barClass: 'level-ok', message: '' },
  APPROACHING: { barClass: 'level-warning', message: 'Approaching usage limit.' },
  CRITICAL: { barClass: 'level-critical', message: 'Usage limit almost reached. Consider upgrading.' },
  EXCEEDED: { barClass: 'level-critical',
    message: 'Usage limit reached: chats are refused until it resets. Consider upgrading.' },
  UNLIMITED: { barClass: 'level-ok', message: '' }
};

function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

// X-Requested-With: a lapsed session answers 401 instead of a basic-auth prompt.
// X-XSRF-TOKEN: the session cookie goes with every request, so writes prove they come from this page.
function request(url, options = {}) {
  const headers = { 'X-Requested-With': 'XMLHttpRequest', ...(options.headers || {}) };
  const token = cookie('XSRF-TOKEN');
  if (token && options.method && options.method !== 'GET') {
    headers['X-XSRF-TOKEN'] = token;
  }
  return fetch(url, { ...options, headers, credentials: 'same-origin' }).then((response) => {
    if (response.status === 401) {
      window.location.assign('/login');
    }
    return response;
  });
}

function resetDate(instant) {
  return dates.format(new Date(instant));
}

function renderCard(meter) {
  const card = document.getElementById('card-template').content.firstElementChild.cloneNode(true);
  card.dataset.meter = meter.key;
  card.dataset.level = meter.level;
  card.querySelector('.meter-name').textContent = meter.displayName;
  card.querySelector('.plan').textContent = meter.plan + ' plan';
  const usage = card.querySelector('.usage');
  const bar = card.querySelector('.bar');
  const level = LEVELS[meter.level] || LEVELS.OK;
  if (meter.limit === null) {
    usage.innerHTML = '<span class="used"></span> <span class="of">used · </span><span class="limit">Unlimited</span>';
    usage.querySelector('.used').textContent = numbers.format(meter.used);
    bar.remove();
  }
  else {
    usage.innerHTML = '<span class="used"></span> <span class="of">/</span> <span class="limit"></span>'
      + ' <span class="of">used</span>';
    usage.querySelector('.used').textContent = numbers.format(meter.used);
    usage.querySelector('.limit').textContent = numbers.format(meter.limit);
    const percent = meter.limit > 0 ? Math.min(100, (meter.used * 100) / meter.limit) : 100;
    bar.classList.add(level.barClass);
    bar.setAttribute('aria-valuenow', String(Math.min(meter.used, meter.limit)));
    bar.setAttribute('aria-valuemax', String(meter.limit));
    bar.setAttribute('aria-valuetext', numbers.format(meter.used) + ' of ' + numbers.format(meter.limit)
      + ' used (' + Math.floor(percent) + ' %)');
    bar.setAttribute('aria-label', meter.displayName + ' used');
    bar.querySelector('.fill').style.width = percent + '%';
  }
  const message = card.querySelector('.status-message');
  message.textContent = level.message;
  message.classList.add(level.barClass);
  card.classList.toggle('over-limit', meter.level === 'EXCEEDED');
  card.querySelector('.resets').textContent = 'Resets on ' + resetDate(meter.periodEnd) + '.';
  renderChart(card.querySelector('.chart'), meter);
  return card;
}

function renderBalance(prepaid, dashboard) {
  const card = document.getElementById('balance-template').content.firstElementChild.cloneNode(true);
  const balance = prepaid.balance;
  card.dataset.meter = prepaid.key;
  card.querySelector('.balance-name').textContent = prepaid.displayName;
  card.querySelector('.remaining').textContent = numbers.format(balance.remaining);
  card.querySelector('.granted').textContent = numbers.format(balance.granted);
  card.querySelector('.spent').textContent = numbers.format(balance.used);
  card.querySelector('.balance-message').textContent = balance.remaining > 0 ? ''
    : 'Balance used up: chats are refused until it is topped up.';
  card.classList.toggle('used-up', balance.remaining === 0);
  card.querySelector('.expiry').textContent = balance.nextExpiry
    ? 'Next grant expires on ' + resetDate(balance.nextExpiry) + '.' : 'No grant expires.';
  const rows = card.querySelector('.grants tbody');
  for (const grant of prepaid.grants) {
    const row = document.createElement('tr');
    row.dataset.grant = grant.id;
    for (const cell of [numbers.format(grant.amount), resetDate(grant.effectiveAt),
      grant.expiresAt ? resetDate(grant.expiresAt) : 'Never', grant.source]) {
      const td = document.createElement('td');
      td.textContent = cell;
      row.appendChild(td);
    }
    rows.appendChild(row);
  }
  card.querySelector('.grants').hidden = prepaid.grants.length === 0;
  const form = card.querySelector('.top-up');
  if (dashboard.operator) {
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      topUp(dashboard.organization, prepaid.key, Number(form.elements.amount.value));
    });
  }
  return card;
}

// Operators only: the metering endpoint grants the credits, as an operator would with curl.
async function topUp(organization, meter, amount) {
  const response = await request('/actuator/metering/' + encodeURIComponent(organization) + '/grant', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ meter, amount })
  });
  if (!response.ok) {
    const error = document.getElementById('load-error');
    error.textContent = 'Could not top up (' + response.status + ').';
    error.hidden = false;
  }
  await refresh();
}

function renderChart(chart, meter) {
  const note = chart.querySelector('.chart-note');
  const days = chart.querySelector('.days');
  note.textContent = '';
  days.replaceChildren();
  if (!meter.daily.available) {
    note.textContent = meter.daily.message;
    return;
  }
  const most = Math.max(1, ...meter.daily.days.map((d) => d.used));
  const total = meter.daily.days.reduce((sum, d) => sum + d.used, 0);
  days.setAttribute('role', 'img');
  days.setAttribute('aria-label', numbers.format(total) + ' used over ' + meter.daily.days.length + ' days');
  for (const day of meter.daily.days) {
    const column = document.createElement('div');
    column.className = 'day' + (day.used === 0 ? ' empty' : '');
    column.style.height = Math.max(1, (day.used * 100) / most) + '%';
    column.title = shortDates.format(new Date(day.day + 'T00:00:00Z')) + ': ' + numbers.format(day.used);
    column.dataset.day = day.day;
    column.dataset.used = String(day.used);
    days.appendChild(column);
  }
}

async function refresh() {
  const response = await request('/api/dashboard');
  const error = document.getElementById('load-error');
  if (!response.ok) {
    error.textContent = 'Could not load usage (' + response.status + ').';
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const dashboard = await response.json();
  document.getElementById('user').textContent = dashboard.user;
  document.getElementById('organization').textContent = dashboard.organization;
  const cards = document.getElementById('cards');
  cards.replaceChildren(...dashboard.meters.map(renderCard));
  document.getElementById('balances')
    .replaceChildren(...dashboard.balances.map((prepaid) => renderBalance(prepaid, dashboard)));
  cards.dataset.loaded = String(Number(cards.dataset.loaded || 0) + 1);
}

// Redraws only the charts, leaving the rest of each card as it is.
async function refreshCharts() {
  const response = await request('/api/dashboard');
  if (!response.ok) {
    return;
  }
  for (const meter of (await response.json()).meters) {
    const card = document.querySelector('#cards .meter[data-meter="' + CSS.escape(meter.key) + '"]');
    if (card) {
      renderChart(card.querySelector('.chart'), meter);
    }
  }
}

function say(text, className) {
  const line = document.createElement('p');
  line.className = className;
  line.textContent = text;
  const log = document.getElementById('chat-log');
  log.appendChild(line);
  // scrolls the log, not the page, so the card stays in view
  log.scrollTop = log.scrollHeight;
  return line;
}

async function refusal(response) {
  let problem = {};
  try {
    problem = await response.json();
  }
  catch (ignored) {
    // not a problem detail: the status says enough
  }
  let text = problem.detail || ('The request failed (' + response.status + ').');
  if (response.status === 429 && problem.periodEnd) {
    text += (text.endsWith('.') ? ' ' : '. ') + 'The limit resets on ' + resetDate(problem.periodEnd) + '.';
  }
  if (response.status === 402 && problem.type === 'urn:metering:insufficient-balance') {
    text += (text.endsWith('.') ? ' ' : '. ') + 'Waiting does not refill a balance: a top-up does.';
  }
  const line = say(text, 'chat-error');
  line.setAttribute('role', 'alert');
  line.dataset.status = String(response.status);
}

function message() {
  return document.getElementById('chat-message').value;
}

async function busy(work) {
  const buttons = document.querySelectorAll('#chat-form button');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await work();
  }
  catch (failure) {
    say('The request failed: ' + failure.message, 'chat-error');
  }
  finally {
    await refresh();
    // the chart comes from the meter, which the outbox feeds a moment after the call
    setTimeout(refreshCharts, 2000);
    buttons.forEach((b) => { b.disabled = false; });
    document.getElementById('chat-log').dataset.exchanges =
      String(Number(document.getElementById('chat-log').dataset.exchanges || 0) + 1);
  }
}

function send() {
  return busy(async () => {
    say('You: ' + message(), 'from-user');
    const response = await request('/api/chat', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: message() })
    });
    if (!response.ok) {
      return refusal(response);
    }
    const answer = await response.json();
    say('Assistant: ' + answer.answer, 'from-model');
  });
}

function stream() {
  return busy(async () => {
    say('You: ' + message(), 'from-user');
    const response = await request('/api/chat/stream', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'text/event-stream' },
      body: JSON.stringify({ message: message() })
    });
    if (!response.ok) {
      return refusal(response);
    }
    const line = say('Assistant: ', 'from-model streamed');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += value;
      const events = buffer.split('\n\n');
      buffer = events.pop();
      for (const event of events) {
        const lines = event.split('\n');
        if (!lines.some((l) => l.startsWith('event:usage'))) {
          line.textContent += lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
          line.parentElement.scrollTop = line.parentElement.scrollHeight;
        }
      }
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  document.getElementById('chat-stream').addEventListener('click', stream);
  document.getElementById('logout').addEventListener('click', async () => {
    await request('/logout', { method: 'POST' });
    window.location.assign('/login?logout');
  });
  refresh();
});
