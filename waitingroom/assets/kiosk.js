// The kiosk: one touch on a service takes a number (a walk-in without
// identity), prints the slip and shows it.
(function () {
  'use strict';
  var cfg = JSON.parse(document.body.dataset.config);
  var T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var kiosk = window.loketKiosk = { tickets: [], lines: null };

  $('office').textContent = cfg.office;
  $('t-title').textContent = T.title;
  $('t-priority').textContent = T.priority;
  $('t-choose').textContent = T.choose;
  $('s-office').textContent = cfg.office;
  $('s-label').textContent = T.ticket;
  $('s-tlabel').textContent = T.tracking;
  $('s-wait').textContent = T.wait;
  $('s-identity').textContent = T.identity;
  $('s-done').textContent = T.back;

  // The clock is the server's, in the office's zone.
  var skew = 0, offset = new Date().getTimezoneOffset() * -60;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  function tick() {
    var d = new Date(Date.now() + skew + offset * 1000);
    $('date').textContent = cfg.days[d.getUTCDay()] + ', ' + d.getUTCDate() + ' ' + cfg.months[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
    var sep = cfg.lang === 'id' ? '.' : ':';
    $('clock').textContent = pad(d.getUTCHours()) + sep + pad(d.getUTCMinutes());
  }
  tick();
  setInterval(tick, 1000);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var prio = '';
  cfg.priorities.forEach(function (p) {
    var b = el('button', '', p.name);
    b.type = 'button';
    b.setAttribute('role', 'radio');
    b.dataset.priority = p.code;
    b.setAttribute('aria-checked', p.code === '' ? 'true' : 'false');
    b.addEventListener('click', function () {
      prio = p.code;
      Array.prototype.forEach.call($('prio-list').children, function (o) {
        o.setAttribute('aria-checked', o === b ? 'true' : 'false');
      });
    });
    $('prio-list').appendChild(b);
  });

  function status(text, cls) {
    var s = $('status');
    s.textContent = text;
    s.className = cls || '';
    s.hidden = !text;
  }

  function renderLines(lines) {
    kiosk.lines = lines;
    var box = $('services');
    box.textContent = '';
    lines.forEach(function (l) {
      var b = el('button');
      b.type = 'button';
      b.dataset.service = l.service;
      b.appendChild(el('span', 'code', l.service));
      b.appendChild(el('span', 'name', cfg.lang === 'en' && l.name_en ? l.name_en : l.name_id));
      var n = el('span', 'count');
      n.appendChild(el('b', '', String(l.waiting)));
      n.appendChild(el('span', '', T.waiting));
      b.appendChild(n);
      b.addEventListener('click', function () { take(l.service); });
      box.appendChild(b);
    });
  }

  function refresh() {
    fetch('/kiosk/state', { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error('state ' + r.status); }
      return r.json();
    }).then(function (st) {
      if (!busy) { status(''); }
      skew = st.now_ms - Date.now();
      offset = st.utc_offset_s;
      tick();
      renderLines(st.lines || []);
    }).catch(function () { status(T.offline); });
  }
  refresh();
  setInterval(refresh, 15000);

  // A ULID: the idempotency key of one touch. A retry after a lost answer
  // sends the same key and gets the same number, never a second one.
  function ulid() {
    var A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ', t = Date.now(), s = '', i;
    for (i = 0; i < 10; i++) { s = A.charAt(t % 32) + s; t = Math.floor(t / 32); }
    var r = crypto.getRandomValues(new Uint8Array(16));
    for (i = 0; i < 16; i++) { s += A.charAt(r[i] % 32); }
    return s;
  }

  var busy = false, closeTimer = null;
  function take(service) {
    if (busy) { return; }
    busy = true;
    status('');
    var ov = $('overlay');
    ov.className = 'working';
    $('s-take').textContent = T.working;
    ov.hidden = false;
    var body = JSON.stringify({ service: service, priority: prio, key: ulid() });
    var tries = 0;
    (function send() {
      tries++;
      fetch('/kiosk/ticket?lang=' + cfg.lang, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json' }, body: body
      }).then(function (r) {
        if (r.status === 429) { return fail(T.busy); }
        if (!r.ok) { return fail(T.error); }
        return r.json().then(show);
      }).catch(function () {
        if (tries < 3) { setTimeout(send, 1000); } else { fail(T.offline); }
      });
    })();
  }

  function fail(text) {
    $('overlay').hidden = true;
    busy = false;
    status(text);
    setTimeout(function () { status(''); }, 8000);
  }

  function show(tk) {
    kiosk.tickets.push(tk);
    $('s-ticket').textContent = tk.ticket;
    $('s-service').textContent = tk.service_name;
    $('s-prio').textContent = tk.priority_name || '';
    $('s-prio').hidden = !tk.priority_name;
    $('s-date').textContent = tk.date_text;
    $('s-ahead').textContent = tk.ahead_text;
    $('s-qr').src = tk.qr;
    $('s-code').textContent = tk.tracking_code;
    $('s-take').textContent = T.take;
    $('overlay').className = '';
    print(tk.slip);
    clearTimeout(closeTimer);
    closeTimer = setTimeout(close, 20000);
    refresh();
  }

  // The slip is printed from the PDF: Chromium's --kiosk-printing prints it
  // without a dialog.
  function print(url) {
    var f = $('printer');
    f.onload = function () {
      try { f.contentWindow.focus(); f.contentWindow.print(); } catch (e) { /* the screen shows it */ }
    };
    f.src = url;
  }

  function close() {
    clearTimeout(closeTimer);
    $('overlay').hidden = true;
    busy = false;
    prio = '';
    Array.prototype.forEach.call($('prio-list').children, function (o) {
      o.setAttribute('aria-checked', o.dataset.priority === '' ? 'true' : 'false');
    });
  }
  $('s-done').addEventListener('click', close);
})();
