
/* Attribution report: hover focus and the review workflow (accept / reject / relabel / add / export) for
   attributions and loaded terms.
   Offsets are code points into the article text (Python string indices), end exclusive. Article text
   is only ever inserted with textContent; the exact text comes from the #review-data JSON block. */
(function () {
  'use strict';
  var ROLES = ['source', 'cue', 'content'];
  var article = document.getElementById('article-text');

  function focus(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('.a-' + id + ', #a-' + id).forEach(function (el) {
        el.classList.toggle('focus', on);
      });
    });
  }
  function hlIds(el) { return (el.dataset.attributions || '').split(' ').filter(Boolean); }
  document.querySelectorAll('.hl').forEach(function (el) {
    var ids = hlIds(el);
    el.addEventListener('mouseenter', function () { focus(ids, true); });
    el.addEventListener('mouseleave', function () { focus(ids, false); });
  });
  document.querySelectorAll('tr.attribution').forEach(function (row) {
    var ids = [row.id.slice(2)];
    row.addEventListener('mouseenter', function () { focus(ids, true); });
    row.addEventListener('mouseleave', function () { focus(ids, false); });
  });
  function termFocus(ids, on) {
    ids.forEach(function (id) {
      document.querySelectorAll('#article-text .t-' + id + ', #t-' + id).forEach(function (node) {
        node.classList.toggle('focus', on);
      });
    });
  }
  function termIds(node) { return (node.dataset.terms || '').split(' ').filter(Boolean); }
  document.querySelectorAll('#article-text .lt').forEach(function (node) {
    var ids = termIds(node);
    node.addEventListener('mouseenter', function () { termFocus(ids, true); });
    node.addEventListener('mouseleave', function () { termFocus(ids, false); });
  });
  document.querySelectorAll('tr.term').forEach(function (row) {
    var ids = [row.id.slice(2)];
    row.addEventListener('mouseenter', function () { termFocus(ids, true); });
    row.addEventListener('mouseleave', function () { termFocus(ids, false); });
  });

  // Actor table: a click (or Enter) on a row jumps to the actor's first sentence and marks all of them.
  document.querySelectorAll('tr.actor').forEach(function (row) {
    var ids = (row.dataset.sentences || '').split(' ').filter(Boolean);
    function go(event) {
      if (event.target.closest && event.target.closest('a')) { return; }  // a link in the row goes its own way
      document.querySelectorAll('tr.actor-focus').forEach(function (r) { r.classList.remove('actor-focus'); });
      ids.forEach(function (id) {
        var target = document.getElementById('s-' + id);
        if (target) { target.classList.add('actor-focus'); }
      });
      if (!ids.length) { return; }
      window.location.hash = 's-' + ids[0];
      // Centre the row, so that the sticky review bar does not cover it.
      var first = document.getElementById('s-' + ids[0]);
      if (first) { first.scrollIntoView({block: 'center'}); }
    }
    row.addEventListener('click', go);
    row.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); go(event); }
    });
  });

  var dataEl = document.getElementById('review-data');
  var bar = document.getElementById('review');
  if (!dataEl || !bar || !article) { return; }
  var data = JSON.parse(dataEl.textContent);
  var text = data.text;
  var chars = Array.from(text);
  var panel = document.getElementById('review-panel');
  var messageEl = document.getElementById('review-message');
  var dirty = false;
  var current = null;
  var nAdded = 0;

  // ------------------------------------------------------------------ helpers
  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }
  function button(label, cls, onClick, title) {
    var b = el('button', cls, label);
    b.type = 'button';
    if (title) { b.title = title; }
    b.addEventListener('click', onClick);
    return b;
  }
  function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }
  function isLow(c) { return c >= 0xdc00 && c <= 0xdfff; }
  function cpLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      if (isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) { i++; }
      n++;
    }
    return n;
  }
  function slice(f) { return chars.slice(f[0], f[1]).join(''); }
  function spanText(fragments) { return fragments.map(slice).join(' ... '); }
  function shorten(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function message(msg, isError) {
    messageEl.textContent = msg;
    messageEl.classList.toggle('error', !!isError);
  }

  // ------------------------------------------------------------------ DOM position <-> article offset
  var segments = Array.prototype.map.call(article.querySelectorAll('[data-start]'), function (seg) {
    return {el: seg, start: Number(seg.dataset.start), end: Number(seg.dataset.end)};
  });
  function segmentOf(node) {
    var element = node.nodeType === 1 ? node : node.parentNode;
    var seg = element && element.closest ? element.closest('[data-start]') : null;
    return seg && article.contains(seg) ? seg : null;
  }
  /* The article offset of a DOM boundary point, or null when the point is outside #article-text. */
  function toOffset(node, offset) {
    if (!node || !article.contains(node)) { return null; }
    var seg = segmentOf(node);
    var range = document.createRange();
    if (!seg) {  // between segments (on #article-text itself): the next segment's start
      range.setStart(node, offset);
      for (var i = 0; i < segments.length; i++) {
        if (range.comparePoint(segments[i].el, 0) >= 0) { return segments[i].start; }
      }
      return chars.length;
    }
    range.setStart(seg, 0);
    range.setEnd(node, offset);
    return Math.min(Number(seg.dataset.start) + cpLength(range.toString()), Number(seg.dataset.end));
  }
  /* The DOM boundary point of an article offset (for drawing highlights). */
  function toPoint(offset, isEnd) {
    for (var i = 0; i < segments.length; i++) {
      var seg = segments[i];
      if (isEnd ? (offset > seg.start && offset <= seg.end) : (offset >= seg.start && offset < seg.end)) {
        var left = offset - seg.start;
        var walker = document.createTreeWalker(seg.el, NodeFilter.SHOW_TEXT);
        var node, last = null;
        while ((node = walker.nextNode())) {
          var d = node.data, units = 0;
          while (left > 0 && units < d.length) {
            units += isHigh(d.charCodeAt(units)) && isLow(d.charCodeAt(units + 1)) ? 2 : 1;
            left--;
          }
          if (left === 0 && (isEnd || units < d.length)) { return [node, units]; }
          last = node;
        }
        return last ? [last, last.data.length] : [seg.el, 0];
      }
    }
    return null;
  }
  function toRange(f) {
    var a = toPoint(f[0], false), b = toPoint(f[1], true);
    if (!a || !b) { return null; }
    var range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    return range;
  }
  /* The current selection as trimmed article offsets, or {error}. */
  function readSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) {
      return {error: 'Select some article text first.'};
    }
    var a = toOffset(sel.anchorNode, sel.anchorOffset), b = toOffset(sel.focusNode, sel.focusOffset);
    if (a === null || b === null) {
      return {error: 'The selection runs outside the article text: select text inside the article only.'};
    }
    var start = Math.min(a, b), end = Math.max(a, b);
    while (start < end && /\s/.test(chars[start])) { start++; }
    while (end > start && /\s/.test(chars[end - 1])) { end--; }
    if (start >= end) { return {error: 'The selection holds no article text (only white space).'}; }
    return {start: start, end: end};
  }

  // ------------------------------------------------------------------ review state
  function newItem(a, added) {
    return {
      key: added ? 'n-' + a.index : String(a.index), rowId: (added ? 'n-' : 'a-') + a.index,
      label: added ? 'new ' + a.index : '#' + a.index, added: added, edited: false,
      status: added ? 'accepted' : 'open', touched: false,
      source: a.source, cue: a.cue, content: a.content, via: a.via || [],
      source_type: a.source_type, anonymous: a.anonymous, resolved_source: a.resolved_source, stance: a.stance,
      controls: []
    };
  }
  var items = data.attributions.map(function (a) { return newItem(a, false); });
  var byKey = {};
  items.forEach(function (item) { byKey[item.key] = item; });

  function statusText(item) {
    if (item.status === 'rejected') { return 'rejected'; }
    if (item.added) { return 'added'; }
    return item.status === 'accepted' ? (item.edited ? 'accepted, spans edited' : 'accepted') : 'not reviewed';
  }
  function change(item) {
    dirty = true;
    refresh();
  }

  // ------------------------------------------------------------------ controls (row and panel)
  function field(label, cls, options, names, onChange) {
    var wrap = el('label', 'rv-field');
    wrap.appendChild(el('span', null, label));
    var select = el('select', cls);
    options.forEach(function (value) {
      var option = el('option', null, names[value] || value || '\u2014');
      option.value = value;
      select.appendChild(option);
    });
    select.addEventListener('change', function () { onChange(select.value); });
    wrap.appendChild(select);
    return {wrap: wrap, select: select};
  }
  function makeControls(item, inRow) {
    var root = el('div', 'rv-controls');
    var accept = button('Accept', 'accept', function () { item.status = 'accepted'; change(item); },
      'Keep this attribution in the export');
    var reject = button('Reject', 'reject', function () { item.status = 'rejected'; change(item); },
      'Leave this attribution out of the export');
    function profile(name, parse) {
      return function (value) { item[name] = parse(value); item.touched = true; change(item); };
    }
    var type = field('type', 'source-type', [''].concat(data.source_types), {}, profile('source_type', function (v) {
      return v || null;
    }));
    var anonymous = field('anonymous', 'anonymous', ['', 'true', 'false'], {'true': 'yes', 'false': 'no (named)'},
      profile('anonymous', function (v) { return v === '' ? null : v === 'true'; }));
    var stance = field('stance', 'stance', [''].concat(data.stances), {}, profile('stance', function (v) {
      return v || null;
    }));
    var buttons = el('div', 'rv-buttons'), fields = el('div', 'rv-fields');
    [accept, reject].forEach(function (n) { buttons.appendChild(n); });
    if (inRow) {
      buttons.appendChild(button('Edit spans', 'edit', function () { setCurrent(item); },
        'Edit this attribution in the review bar (set its cue, source and content from a selection)'));
    }
    [type.wrap, anonymous.wrap, stance.wrap].forEach(function (n) { fields.appendChild(n); });
    root.appendChild(buttons);
    root.appendChild(fields);
    var controls = {
      root: root,
      update: function () {
        accept.setAttribute('aria-pressed', String(item.status === 'accepted'));
        reject.setAttribute('aria-pressed', String(item.status === 'rejected'));
        type.select.value = item.source_type || '';
        anonymous.select.value = item.anonymous === null || item.anonymous === undefined ? '' : String(item.anonymous);
        stance.select.value = item.stance || '';
      }
    };
    controls.update();
    return controls;
  }

  // ------------------------------------------------------------------ table rows
  var table = document.querySelector('table.attributions');
  var tbody = table.tBodies[0];
  var headRow = table.tHead.rows[0];
  headRow.appendChild(el('th', null, 'Review'));
  function spanCell(td, fragments, role) {
    td.textContent = '';
    td.appendChild(fragments.length ? el('span', 'hl-' + role, spanText(fragments)) : el('span', 'none', 'none'));
  }
  function sentenceOf(offset) {
    for (var i = 0; i < data.sentences.length; i++) {
      if (offset >= data.sentences[i][0] && offset < data.sentences[i][1]) { return i; }
    }
    return null;
  }
  function attachRow(item) {
    var row = document.getElementById(item.rowId);
    if (!row) {
      row = el('tr', 'attribution added');
      row.id = item.rowId;
      row.appendChild(el('td', 'num', '+' + item.key.slice(2)));
      ROLES.forEach(function (role) {
        var td = el('td');
        td.dataset.role = role;
        row.appendChild(td);
      });
      row.appendChild(el('td', null, 'added'));
      row.appendChild(el('td', null, '\u2014'));  // profile: set with the controls
      row.appendChild(el('td', 'num', '\u2014'));
      var sentence = el('td');
      var s = sentenceOf(item.cue[0][0]);
      if (s !== null) {
        var link = el('a', null, String(s));
        link.href = '#s-' + s;
        sentence.appendChild(link);
      }
      row.appendChild(sentence);
      tbody.appendChild(row);
      table.closest('.scroll').hidden = false;
      var none = document.getElementById('no-attributions');
      if (none) { none.hidden = true; }
    }
    var cell = el('td', 'rv-cell');
    var controls = makeControls(item, true);
    cell.appendChild(controls.root);
    row.appendChild(cell);
    item.row = row;
    item.controls.push(controls);
  }
  items.forEach(attachRow);

  // ------------------------------------------------------------------ the panel (attribution being edited)
  var panelControls = null;
  function setCurrent(item) {
    current = item;
    panel.textContent = '';
    panelControls = null;
    if (!item) {
      panel.appendChild(el('p', 'rv-hint', 'Click a highlight in the article (or a row\'s "Edit spans") to review '
        + 'that attribution here. To add a missing one, select its cue in the article and press "Add cue", then '
        + 'select its source and content and press "Set source" / "Set content". Loaded terms are reviewed in '
        + 'their table; to add a missing one, pick its category next to "Add loaded term", select it in the '
        + 'article and press the button.'));
      refresh();
      return;
    }
    var head = el('div', 'rv-row');
    head.appendChild(el('strong', null, 'Editing attribution ' + item.label));
    head.appendChild(el('span', 'rv-status'));
    var link = el('a', null, 'show row');
    link.href = '#' + item.rowId;
    head.appendChild(link);
    head.appendChild(el('span', 'rv-spacer'));
    head.appendChild(button('Done', 'done', function () { setCurrent(null); }, 'Stop editing this attribution'));
    panel.appendChild(head);
    panel.appendChild(el('div', 'rv-spans'));
    panelControls = makeControls(item, false);
    panel.appendChild(panelControls.root);
    refresh();
  }
  function renderPanelSpans() {
    if (!current) { return; }
    var status = panel.querySelector('.rv-status');
    status.textContent = statusText(current);
    status.className = 'rv-status ' + (current.status === 'rejected' ? 'rejected' : current.added ? 'added'
      : current.status);
    var box = panel.querySelector('.rv-spans');
    box.textContent = '';
    ROLES.forEach(function (role) {
      var part = el('span');
      part.appendChild(el('b', null, role));
      var fragments = current[role];
      part.appendChild(fragments.length ? el('span', 'hl-' + role, shorten(spanText(fragments), 90))
        : el('span', 'none', 'none'));
      if (fragments.length && role !== 'cue') {
        part.appendChild(button('\u00d7', 'rv-clear clear-' + role, function () { editSpan(role, []); },
          'Remove the ' + role + ' of this attribution'));
      }
      box.appendChild(part);
    });
  }

  // ------------------------------------------------------------------ span editing from the selection
  function editSpan(role, fragments) {
    current[role] = fragments;
    if (!current.added) { current.edited = true; }
    current.status = 'accepted';
    change(current);
  }
  function fromSelection(role, create) {
    var sel = readSelection();
    if (sel.error) { message(sel.error, true); return; }
    var fragment = [[sel.start, sel.end]];
    if (create) {
      nAdded++;
      var item = newItem({index: nAdded, source: [], cue: fragment, content: [], via: [], source_type: null,
        anonymous: null, resolved_source: null, stance: null}, true);
      items.push(item);
      byKey[item.key] = item;
      attachRow(item);
      dirty = true;
      setCurrent(item);
      message('Added attribution ' + item.label + ' with cue \u201c' + shorten(slice(fragment[0]), 60)
        + '\u201d. Now select its source and content and press "Set source" / "Set content".');
    } else {
      if (!current) {
        message('Pick the attribution to change first: click its highlight, its row\'s "Edit spans", or "Add cue".',
          true);
        return;
      }
      editSpan(role, fragment);
      message('Set the ' + role + ' of attribution ' + current.label + ' to \u201c'
        + shorten(slice(fragment[0]), 60) + '\u201d (' + sel.start + '\u2013' + sel.end + ').');
    }
    window.getSelection().removeAllRanges();
  }
  [['add-cue', 'cue', true], ['set-cue', 'cue', false], ['set-source', 'source', false],
    ['set-content', 'content', false]].forEach(function (spec) {
    var b = document.getElementById(spec[0]);
    b.addEventListener('mousedown', function (event) { event.preventDefault(); });  // keep the selection
    b.addEventListener('click', function () { fromSelection(spec[1], spec[2]); });
  });
  var selectionEl = document.getElementById('review-selection');
  document.addEventListener('selectionchange', function () {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed) {
      selectionEl.textContent = 'none';
      selectionEl.className = 'none';
      return;
    }
    var found = readSelection();
    selectionEl.className = found.error ? 'none' : '';
    selectionEl.textContent = found.error ? 'outside the article'
      : '\u201c' + shorten(chars.slice(found.start, found.end).join(''), 60) + '\u201d (' + found.start + '\u2013'
        + found.end + ')';
  });
  document.querySelectorAll('#article-text .hl').forEach(function (node) {
    var ids = hlIds(node);
    node.addEventListener('click', function () {
      var sel = window.getSelection();
      if (sel && !sel.isCollapsed) { return; }  // the reviewer is selecting text, not picking
      var at = current && !current.added ? ids.indexOf(current.key) : -1;
      setCurrent(byKey[ids[(at + 1) % ids.length]]);  // repeated clicks cycle through overlapping ones
    });
  });

  // ------------------------------------------------------------------ loaded terms (accept / reject / relabel / add)
  var termTable = document.querySelector('table.loaded-terms');
  var termBody = termTable.tBodies[0];
  termTable.tHead.rows[0].appendChild(el('th', null, 'Review'));
  function newTerm(t, added) {
    var key = (added ? 'tn-' : 't-') + t.index;
    return {
      key: key, rowId: key, n: t.index, label: added ? 'new term ' + t.index : 'T' + t.index, added: added,
      status: added ? 'accepted' : 'open', span: t.span, category: t.category, original: t.category,
      polarity: t.polarity, voice: t.voice, target: t.target, controls: []
    };
  }
  var terms = (data.loaded_terms || []).map(function (t) { return newTerm(t, false); });
  var termByKey = {};
  terms.forEach(function (term) { termByKey[term.key] = term; });
  var nTermsAdded = 0;
  function termLayer() {
    return (data.layers || []).indexOf('loaded_terms') >= 0 || terms.some(function (t) { return t.added; });
  }
  function changeTerm() {
    dirty = true;
    refresh();
  }
  function makeTermControls(term) {
    var root = el('div', 'rv-controls');
    var accept = button('Accept', 'accept', function () { term.status = 'accepted'; changeTerm(); },
      'Keep this loaded term in the export');
    var reject = button('Reject', 'reject', function () { term.status = 'rejected'; changeTerm(); },
      'Leave this loaded term out of the export');
    function set(name) { return function (value) { term[name] = value || null; changeTerm(); }; }
    var category = field('category', 'term-category', data.categories, {}, set('category'));
    var polarity = field('polarity', 'term-polarity', [''].concat(data.polarities), {}, set('polarity'));
    var voice = field('voice', 'term-voice', [''].concat(data.voices), {}, set('voice'));
    var buttons = el('div', 'rv-buttons'), fields = el('div', 'rv-fields');
    [accept, reject].forEach(function (n) { buttons.appendChild(n); });
    [category.wrap, polarity.wrap, voice.wrap].forEach(function (n) { fields.appendChild(n); });
    root.appendChild(buttons);
    root.appendChild(fields);
    var controls = {
      root: root,
      update: function () {
        accept.setAttribute('aria-pressed', String(term.status === 'accepted'));
        reject.setAttribute('aria-pressed', String(term.status === 'rejected'));
        category.select.value = term.category;
        polarity.select.value = term.polarity || '';
        voice.select.value = term.voice || '';
      }
    };
    controls.update();
    return controls;
  }
  function categorySwatch(category) { return el('span', 'lt-swatch lt-' + category, category); }
  function attachTermRow(term) {
    var row = document.getElementById(term.rowId);
    if (!row) {
      row = el('tr', 'term added');
      row.id = term.rowId;
      row.appendChild(el('td', 'num', '+' + term.n));
      var cell = el('td');
      cell.dataset.role = 'term';
      cell.appendChild(el('mark', 'lt lt-' + term.category, spanText(term.span)));
      row.appendChild(cell);
      ['category', 'polarity', 'voice', 'target'].forEach(function (role) {
        var td = el('td', null, role === 'category' ? undefined : '\u2014');
        td.dataset.role = role;
        row.appendChild(td);
      });
      var sentence = el('td');
      var s = sentenceOf(term.span[0][0]);
      if (s !== null) {
        var link = el('a', null, String(s));
        link.href = '#s-' + s;
        sentence.appendChild(link);
      }
      row.appendChild(sentence);
      row.appendChild(el('td', 'num', '\u2014'));
      termBody.appendChild(row);
      var wrap = termTable.closest('.scroll');
      wrap.hidden = false;
      if (wrap.previousElementSibling && wrap.previousElementSibling.tagName === 'H3') {
        wrap.previousElementSibling.hidden = false;
      }
      var none = document.getElementById('no-terms');
      if (none) { none.hidden = true; }
    }
    var review = el('td', 'rv-cell');
    var controls = makeTermControls(term);
    review.appendChild(controls.root);
    row.appendChild(review);
    term.row = row;
    term.controls.push(controls);
  }
  terms.forEach(attachTermRow);
  var addTerm = document.getElementById('add-term');
  addTerm.addEventListener('mousedown', function (event) { event.preventDefault(); });  // keep the selection
  addTerm.addEventListener('click', function () {
    var sel = readSelection();
    if (sel.error) { message(sel.error, true); return; }
    nTermsAdded++;
    var category = document.getElementById('add-term-category').value;
    var term = newTerm({index: nTermsAdded, span: [[sel.start, sel.end]], category: category, polarity: null,
      voice: null, target: null}, true);
    terms.push(term);
    termByKey[term.key] = term;
    attachTermRow(term);
    changeTerm();
    message('Added loaded term ' + term.label + ' \u201c' + shorten(spanText(term.span), 60) + '\u201d ('
      + category + ', ' + sel.start + '\u2013' + sel.end + '). Set its polarity and voice in its row.');
    window.getSelection().removeAllRanges();
  });
  function refreshTerms() {
    terms.forEach(function (term) {
      term.controls.forEach(function (c) { c.update(); });
      term.row.classList.toggle('rv-rejected', term.status === 'rejected');
      term.row.classList.toggle('rv-accepted', term.status === 'accepted');
      if (term.added || term.category !== term.original) {
        var cell = term.row.querySelector('[data-role="category"]');
        cell.textContent = '';
        cell.appendChild(categorySwatch(term.category));
        if (!term.added) { cell.appendChild(el('span', 'rv-was', ' (was ' + term.original + ')')); }
        var mark = term.row.querySelector('[data-role="term"] mark');
        if (mark) { mark.className = 'lt lt-' + term.category; }
      }
    });
    document.querySelectorAll('#article-text .lt').forEach(function (node) {
      var term = termByKey['t-' + termIds(node)[0]];
      if (!term) { return; }
      node.classList.toggle('rv-off', term.status === 'rejected');
      if (!node.classList.contains('lt-' + term.category)) {
        Array.prototype.slice.call(node.classList).forEach(function (name) {
          if (name.indexOf('lt-') === 0) { node.classList.remove(name); }
        });
        node.classList.add('lt-' + term.category);
        node.title = node.title.replace(new RegExp('^(Loaded term T' + term.n + ': )[a-z_]+'), '$1' + term.category
          + ' (was ' + term.original + ')');
      }
    });
  }
  function termCounts() {
    if (!termLayer()) { return ''; }
    var model = terms.filter(function (t) { return !t.added; });
    function count(status) { return model.filter(function (t) { return t.status === status; }).length; }
    var relabelled = model.filter(function (t) { return t.category !== t.original; }).length;
    var added = terms.filter(function (t) { return t.added && t.status !== 'rejected'; }).length;
    return ' \u00b7 loaded terms: ' + count('accepted') + ' accepted, ' + count('rejected') + ' rejected, '
      + relabelled + ' relabelled, ' + count('open') + ' to review, ' + added + ' added';
  }

  // ------------------------------------------------------------------ refresh
  function refresh() {
    items.forEach(function (item) {
      item.controls.forEach(function (c) { c.update(); });
      item.row.classList.toggle('rv-rejected', item.status === 'rejected');
      item.row.classList.toggle('rv-accepted', item.status === 'accepted');
      item.row.classList.toggle('rv-current', item === current);
      if (item.added || item.edited) {
        ROLES.forEach(function (role) { spanCell(item.row.querySelector('[data-role="' + role + '"]'), item[role], role); });
      }
    });
    if (panelControls) { panelControls.update(); }
    renderPanelSpans();
    document.querySelectorAll('#article-text .hl').forEach(function (node) {
      var ids = hlIds(node);
      node.classList.toggle('rv-off', ids.every(function (id) {
        return byKey[id].status === 'rejected' || byKey[id].edited;
      }));
      node.classList.toggle('rv-current', !!current && !current.edited && ids.indexOf(current.key) >= 0);
    });
    refreshTerms();
    paintHighlights();
    var model = items.filter(function (i) { return !i.added; });
    function count(list, status) { return list.filter(function (i) { return i.status === status; }).length; }
    var added = items.filter(function (i) { return i.added && i.status !== 'rejected'; }).length;
    document.getElementById('review-counts').textContent = 'model: ' + count(model, 'accepted') + ' accepted, '
      + count(model, 'rejected') + ' rejected, ' + count(model, 'open') + ' to review \u00b7 ' + added + ' added \u00b7 '
      + kept().length + ' to export' + termCounts();
  }
  function paintHighlights() {
    if (!(window.CSS && CSS.highlights && window.Highlight)) { return; }
    ROLES.forEach(function (role) {
      var highlight = new Highlight();
      items.forEach(function (item) {
        if (item.status === 'rejected' || !(item.added || item.edited)) { return; }
        item[role].forEach(function (f) {
          var range = toRange(f);
          if (range) { highlight.add(range); }
        });
      });
      CSS.highlights.set('rv-' + role, highlight);
    });
    (data.categories || []).forEach(function (category) {
      var highlight = new Highlight();
      terms.forEach(function (term) {
        if (!term.added || term.status === 'rejected' || term.category !== category) { return; }
        term.span.forEach(function (f) {
          var range = toRange(f);
          if (range) { highlight.add(range); }
        });
      });
      CSS.highlights.set('rv-lt-' + category, highlight);
    });
  }

  // ------------------------------------------------------------------ export
  function kept() { return items.filter(function (i) { return i.status !== 'rejected'; }); }
  function fragments(list) {
    if (!list.length) { return null; }
    return list.map(function (f) { return [f[0], f[1]]; }).sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  }
  function keptTerms() { return terms.filter(function (t) { return t.status !== 'rejected'; }); }
  function annotationRecord() {
    var keep = kept();
    var layers = ['attributions'];
    if (keep.some(function (i) { return i.touched; })) { layers.push('source_profile'); }
    var model = items.filter(function (i) { return !i.added; });
    var record = {
      id: data.id, text: text, layers: layers,
      attributions: keep.map(function (i) {
        return {source: fragments(i.source), cue: fragments(i.cue), content: fragments(i.content),
          source_type: i.source_type, anonymous: i.anonymous, via: fragments(i.via),
          resolved_source: i.resolved_source, stance: i.stance};
      }),
      meta: data.meta,
      review: {tool: 'attribution review page', attribution_version: data.provenance.attribution_version,
        tagger: data.provenance.tagger, rejected: model.filter(function (i) { return i.status === 'rejected'; }).length,
        edited: model.filter(function (i) { return i.edited && i.status !== 'rejected'; }).length,
        added: keep.filter(function (i) { return i.added; }).length}
    };
    if (termLayer()) {
      var modelTerms = terms.filter(function (t) { return !t.added; });
      layers.push('loaded_terms');
      record.loaded_terms = keptTerms().map(function (t) {
        return {span: fragments(t.span), category: t.category, polarity: t.polarity, target: t.target, voice: t.voice};
      });
      record.review.loaded_terms = {
        rejected: modelTerms.filter(function (t) { return t.status === 'rejected'; }).length,
        relabelled: modelTerms.filter(function (t) { return t.status !== 'rejected' && t.category !== t.original; })
          .length,
        added: keptTerms().filter(function (t) { return t.added; }).length
      };
    }
    return record;
  }
  /* Same layout as attribution.converters.labelstudio.labelstudio_task (a test checks they agree). */
  function labelStudioTask(record) {
    var names = {cue: 'Cue', source: 'Source', content: 'Content', via: 'Via'};
    var taskData = {text: record.text, id: record.id};
    if (record.meta && Object.keys(record.meta).length) { taskData.meta = record.meta; }
    if (record.layers && record.layers.length) { taskData.layers = record.layers.slice(); }
    var withProfile = record.layers.indexOf('source_profile') >= 0;
    var result = [];
    record.attributions.forEach(function (a, k) {
      var head = 'a' + k + '-cue0', regions = [];
      (withProfile ? ['cue', 'source', 'content', 'via'] : ['cue', 'source', 'content']).forEach(function (role) {
        (a[role] || []).forEach(function (f, j) {
          var id = 'a' + k + '-' + role + j;
          regions.push(id);
          result.push({id: id, from_name: 'label', to_name: 'text', type: 'labels',
            value: {start: f[0], end: f[1], text: slice(f), labels: [names[role]]}});
        });
      });
      regions.slice(1).forEach(function (id) {
        result.push({type: 'relation', from_id: head, to_id: id, direction: 'right'});
      });
      if (!withProfile) { return; }
      ['source_type', 'anonymous', 'stance'].forEach(function (name) {
        if (a[name] === null || a[name] === undefined) { return; }
        result.push({id: head, from_name: name, to_name: 'text', type: 'choices',
          value: {start: a.cue[0][0], end: a.cue[0][1], text: slice(a.cue[0]), choices: [String(a[name])]}});
      });
      if (a.resolved_source !== null && a.resolved_source !== undefined) {
        result.push({id: head, from_name: 'resolved_source', to_name: 'text', type: 'textarea',
          value: {start: a.cue[0][0], end: a.cue[0][1], text: [a.resolved_source]}});
      }
    });
    (record.loaded_terms || []).forEach(function (t, k) {
      var head = 't' + k + '-0', first = t.span[0];
      t.span.forEach(function (f, j) {
        result.push({id: 't' + k + '-' + j, from_name: 'loaded_term', to_name: 'text', type: 'labels',
          value: {start: f[0], end: f[1], text: slice(f), labels: [t.category]}});
      });
      t.span.slice(1).forEach(function (f, j) {
        result.push({type: 'relation', from_id: head, to_id: 't' + k + '-' + (j + 1), direction: 'right'});
      });
      ['polarity', 'voice'].forEach(function (name) {
        if (t[name] === null || t[name] === undefined) { return; }
        result.push({id: head, from_name: name, to_name: 'text', type: 'choices',
          value: {start: first[0], end: first[1], text: slice(first), choices: [t[name]]}});
      });
      if (t.target !== null && t.target !== undefined) {
        result.push({id: head, from_name: 'target', to_name: 'text', type: 'textarea',
          value: {start: first[0], end: first[1], text: [t.target]}});
      }
    });
    return {data: taskData, annotations: [{result: result}]};
  }
  function download(name, content, type) {
    var url = URL.createObjectURL(new Blob([content], {type: type}));
    var link = el('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  var baseName = String(data.id).replace(/[^A-Za-z0-9._-]+/g, '_') || 'article';
  function exported(what, name, count) {
    dirty = false;
    var termNote = termLayer() ? ' and ' + keptTerms().length + ' loaded term(s)' : '';
    message('Exported ' + count + ' attribution(s)' + termNote + ' as ' + what + ': ' + name);
  }
  document.getElementById('export-jsonl').addEventListener('click', function () {
    var record = annotationRecord();
    var name = baseName + '.annotations.jsonl';
    download(name, JSON.stringify(record) + '\n', 'application/x-ndjson');
    exported('annotation JSONL', name, record.attributions.length);
  });
  document.getElementById('export-labelstudio').addEventListener('click', function () {
    var record = annotationRecord();
    var name = baseName + '.labelstudio.json';
    download(name, JSON.stringify([labelStudioTask(record)], null, 1) + '\n', 'application/json');
    exported('Label Studio tasks', name, record.attributions.length);
  });
  window.addEventListener('beforeunload', function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ''; }
  });

  bar.hidden = false;
  setCurrent(null);
})();
