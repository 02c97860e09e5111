// The waiting room's board: the state from /board/events (server-sent
// events), the clock from the server's, the calls spoken one after another.
(function () {
  'use strict';
  var cfg = JSON.parse(document.body.dataset.config);
  var T = cfg.text;
  var $ = function (id) { return document.getElementById(id); };
  var board = window.loketBoard = { state: null, heard: [], connected: false };

  $('office').textContent = cfg.office;
  $('t-call').textContent = T.call;
  $('t-goto').textContent = T['goto'];
  $('t-recent').textContent = T.recent;
  var running = $('running');
  running.textContent = cfg.running_text || '';
  var runFor = Math.max(20, (cfg.running_text || '').length * 0.22);
  running.style.animationDuration = runFor + 's';
  running.style.animationDelay = -(runFor * 0.3) + 's'; // the text already on screen when the board opens
  if (!cfg.running_text) { document.querySelector('footer').style.visibility = 'hidden'; }

  // The clock is the server's, in the office's zone.
  var skew = 0, offset = new Date().getTimezoneOffset() * -60;
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  function tick() {
    var d = new Date(Date.now() + skew + offset * 1000);
    $('date').textContent = cfg.days[d.getUTCDay()] + ', ' + d.getUTCDate() + ' ' + cfg.months[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
    var sep = cfg.lang === 'id' ? '.' : ':';
    $('clock').textContent = pad(d.getUTCHours()) + sep + pad(d.getUTCMinutes()) + sep + pad(d.getUTCSeconds());
  }
  tick();
  setInterval(tick, 1000);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var shown = null;
  function render(st) {
    board.state = st;
    skew = st.now_ms - Date.now();
    offset = st.utc_offset_s;
    tick();
    var cur = st.calls[0];
    $('cur-ticket').textContent = cur ? cur.ticket : '\u2013';
    $('cur-counter').textContent = cur ? cur.counter_name : T.none;
    var list = $('recent-list');
    list.textContent = '';
    st.calls.slice(1, 6).forEach(function (c) {
      var li = el('li');
      li.appendChild(el('span', 't', c.ticket));
      li.appendChild(el('span', 'c', c.counter_name));
      list.appendChild(li);
    });
    var lines = $('lines');
    lines.textContent = '';
    st.lines.forEach(function (l) {
      var box = el('div', 'line');
      box.dataset.service = l.service;
      box.appendChild(el('div', 'code', l.service));
      box.appendChild(el('div', 'name', cfg.lang === 'en' && l.name_en ? l.name_en : l.name_id));
      var n = el('div', 'count');
      n.appendChild(el('b', '', String(l.waiting)));
      n.appendChild(el('span', '', T.waiting));
      box.appendChild(n);
      lines.appendChild(box);
    });
  }

  function flash() {
    var c = $('current');
    c.classList.remove('flash');
    void c.offsetWidth;
    c.classList.add('flash');
  }

  // Spoken calls: one after another, never one over another.
  var queue = [], playing = false, needTouch = false;
  function enqueue(c) {
    board.heard.push({ ticket: c.ticket, counter: c.counter, seq: c.seq, queued: Date.now() });
    if (!cfg.sound) { return; }
    queue.push(c);
    pump();
  }
  function audioURL(c) {
    var q = new URLSearchParams({ ticket: c.ticket, counter: c.counter, lang: cfg.lang, chime: cfg.chime ? '1' : '0' });
    return '/board/audio?' + q.toString();
  }
  function pump() {
    if (playing || needTouch || !queue.length) { return; }
    var c = queue.shift();
    playing = true;
    var a = new Audio(audioURL(c));
    var rec = { ticket: c.ticket, src: audioURL(c), start: Date.now(), end: 0 };
    board.played = board.played || [];
    board.played.push(rec);
    var guard = setTimeout(done, 30000); // a clip that never ends does not stop the board
    function done() {
      if (!playing) { return; }
      clearTimeout(guard);
      a.onended = a.onerror = null;
      rec.end = Date.now();
      playing = false;
      pump();
    }
    a.onended = done;
    a.onerror = done;
    var p = a.play();
    if (p && p.catch) {
      p.catch(function (err) {
        if (err && err.name === 'NotAllowedError') { // autoplay refused: wait for a touch
          clearTimeout(guard);
          board.played.pop();
          queue.unshift(c);
          playing = false;
          needTouch = true;
          banner(T.sound, 'info');
        } else {
          done();
        }
      });
    }
  }
  function unlock() {
    if (!needTouch) { return; }
    needTouch = false;
    banner('');
    pump();
  }
  document.addEventListener('click', unlock);
  document.addEventListener('keydown', unlock);
  document.addEventListener('touchstart', unlock);

  function banner(text, cls) {
    var b = $('banner');
    b.textContent = text;
    b.className = cls || '';
    b.hidden = !text;
  }

  // The events: EventSource reconnects by itself (with Last-Event-ID, so
  // the server announces calls missed in a short drop); if the server
  // refused the stream it is opened again here. Every (re)connection starts
  // with the whole state.
  var es = null, lastSeq = 0, offlineTimer = null;
  function connect() {
    var q = new URLSearchParams();
    if (cfg.services && cfg.services.length) { q.set('services', cfg.services.join(',')); }
    if (lastSeq) { q.set('last', String(lastSeq)); }
    es = new EventSource('/board/events' + (q.toString() ? '?' + q.toString() : ''));
    es.addEventListener('state', function (ev) {
      var st = JSON.parse(ev.data);
      online(true);
      lastSeq = st.seq;
      render(st);
      if (st.announce && st.announce.length) {
        flash();
        st.announce.forEach(enqueue);
      }
    });
    es.onerror = function () {
      online(false);
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setTimeout(connect, 3000);
      }
    };
  }
  function online(up) {
    board.connected = up;
    if (up) {
      clearTimeout(offlineTimer);
      offlineTimer = null;
      if (!needTouch) { banner(''); }
    } else if (!offlineTimer) {
      offlineTimer = setTimeout(function () { banner(T.offline); }, 3000);
    }
  }
  connect();
})();
