// The editor: reads and writes through the public API only (/api/v1), with the token the
// editor pasted, kept in sessionStorage and sent as a Bearer header (no cookies, so no CSRF).
"use strict";
(function () {
  var KINDS = ["terms", "tasks", "solutions", "achievements", "limitations", "directives",
    "statistics", "people", "memberships", "events", "organizations"];
  var TOKEN_KEY = "congress-editor-token";
  var LANG_KEY = "congress-editor-lang";
  var QUALIFIER = { exact: ["", ""], more_than: ["trên ", "more than "],
    at_least: ["ít nhất ", "at least "], about: ["khoảng ", "about "], range: ["", ""] };
  var UNIT = { people: [" người", " people"], collectives: [" tập thể", " collectives"],
    individuals: [" cá nhân", " individuals"], percent_per_year: ["%/năm", "% a year"],
    years: [" năm", " years"] };

  var state = {
    spec: null, lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "vi",
    doc: null, text: "", sentences: [], citations: [], records: {}, selection: null,
    form: null, texts: {}, cardTermChosen: false,
  };

  function $(id) { return document.getElementById(id); }
  function t(key) { return (window.EditorText[state.lang] || {})[key] || window.EditorText.vi[key] || key; }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  // --- HTTP -----------------------------------------------------------------------------------

  function api(method, path, options) {
    options = options || {};
    var headers = { Accept: options.accept || "application/json", "Accept-Language": state.lang };
    if (method !== "GET") {
      headers.Authorization = "Bearer " + (options.token || token() || "");
      if (options.body !== undefined) { headers["Content-Type"] = options.contentType || "application/json"; }
    }
    if (options.ifMatch) { headers["If-Match"] = options.ifMatch; }
    return fetch(path, {
      method: method, headers: headers, cache: "no-cache", credentials: "omit",
      body: options.body === undefined ? undefined
        : (typeof options.body === "string" ? options.body : JSON.stringify(options.body)),
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var read = type.indexOf("json") >= 0 ? response.json() : response.text();
      return read.then(function (data) {
        return { status: response.status, ok: response.ok, data: data,
          etag: response.headers.get("ETag") };
      });
    });
  }

  function listAll(collection) {
    var items = [];
    function page(offset) {
      return api("GET", "/api/v1/" + collection + "?limit=500&offset=" + offset).then(function (r) {
        if (!r.ok) { return items; }
        items = items.concat(r.data.items);
        return items.length < r.data.total && r.data.items.length ? page(items.length) : items;
      });
    }
    return page(0);
  }

  function documentText(id) {
    if (state.texts[id] !== undefined) { return Promise.resolve(state.texts[id]); }
    return api("GET", "/api/v1/documents/" + encodeURIComponent(id) + "/text",
      { accept: "text/plain" }).then(function (r) { state.texts[id] = r.data; return r.data; });
  }

  // --- words on the page ---------------------------------------------------------------------

  function translate() {
    document.documentElement.lang = state.lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (n) {
      n.textContent = t(n.getAttribute("data-i18n"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-title]"), function (n) {
      n.setAttribute("title", t(n.getAttribute("data-i18n-title")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-label]"), function (n) {
      n.setAttribute("aria-label", t(n.getAttribute("data-i18n-label")));
    });
    var toggle = $("lang-toggle");
    toggle.textContent = state.lang === "vi" ? "English" : "Tiếng Việt";
    toggle.setAttribute("lang", state.lang === "vi" ? "en" : "vi");
    var select = $("kind-select");
    var chosen = select.value;
    select.textContent = "";
    KINDS.forEach(function (k) { select.appendChild(option(k, t("k_" + k))); });
    if (chosen) { select.value = chosen; }
  }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function flash(message, isError) {
    var node = $("flash");
    node.textContent = message || "";
    node.className = isError ? "problem" : "ok";
  }

  // A problem's detail for a person: the API's words, or ours for the statuses we expect.
  function problemText(r) {
    if (r.status === 401) { return t("token_refused"); }
    if (r.status === 403) { return t("forbidden"); }
    var data = r.data || {};
    return (data.title ? data.title + ": " : t("error") + ": ") + (data.detail || r.status);
  }

  // --- screens -------------------------------------------------------------------------------

  function show(screen) {
    Array.prototype.forEach.call(document.querySelectorAll(".screen"), function (s) {
      s.hidden = s.id !== "screen-" + screen;
    });
    $("sign-out").hidden = !token();
    $("who").textContent = token() ? t("signed_in") : "";
  }

  function route() {
    flash("");
    if (!token()) { show("token"); $("token-input").focus(); return; }
    var hash = location.hash || "#/";
    if (hash === "#/new") { show("new"); return; }
    var match = /^#\/doc\/([A-Za-z0-9._-]+)$/.exec(hash);
    if (match) { openDocument(match[1]); return; }
    showDocuments();
  }

  function showDocuments() {
    show("documents");
    listAll("documents").then(function (documents) {
      var rows = $("document-rows");
      rows.textContent = "";
      documents.forEach(function (d) {
        var tr = document.createElement("tr");
        var title = document.createElement("td");
        var link = document.createElement("a");
        link.href = "#/doc/" + d.id;
        link.textContent = d.title;
        title.appendChild(link);
        tr.appendChild(title);
        tr.appendChild(cell(d.dateline_text || ""));
        tr.appendChild(cell((d.length || 0).toLocaleString(state.lang) + " " + t("chars")));
        rows.appendChild(tr);
      });
    });
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  // --- token ---------------------------------------------------------------------------------

  function submitToken(event) {
    event.preventDefault();
    var given = $("token-input").value.trim();
    var error = $("token-error");
    error.textContent = "";
    if (!given) { error.textContent = t("token_empty"); return; }
    // No endpoint names a token's owner; a dry-run import of an empty file is checked for the
    // token before anything else and writes nothing: 401 for a bad token, 422 for a good one.
    api("POST", "/api/v1/imports?dry_run=true", { body: "{}", token: given }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        error.textContent = t("token_refused");
        $("token-input").setAttribute("aria-invalid", "true");
        $("token-input").focus();
        return;
      }
      $("token-input").removeAttribute("aria-invalid");
      $("token-input").value = "";
      sessionStorage.setItem(TOKEN_KEY, given);
      route();
    });
  }

  function refused() {
    sessionStorage.removeItem(TOKEN_KEY);
    show("token");
    $("token-error").textContent = t("token_refused");
  }

  // --- adding a document ---------------------------------------------------------------------

  function submitDocument(event) {
    event.preventDefault();
    var form = $("document-form");
    clearProblems(form);
    var body = { language: "vi" };
    ["id", "title", "publisher_id", "author_id", "place", "dateline_text", "text"].forEach(function (n) {
      var value = form.elements[n].value.trim();
      if (value) { body[n] = n === "text" ? form.elements[n].value : value; }
    });
    body.sources = [{ quote: body.title || "" }];
    api("POST", "/api/v1/documents", { body: body }).then(function (r) {
      if (r.status === 201) { location.hash = "#/doc/" + body.id; return; }
      if (r.status === 401) { refused(); return; }
      showProblems(r, function (name) {
        if (name === "sources") { return $("doc-title-error"); }
        var input = form.elements[name];
        return input ? $(input.id + "-error") : null;
      }, $("document-form-error"));
    });
  }

  function clearProblems(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".problem"), function (p) { p.textContent = ""; });
    Array.prototype.forEach.call(root.querySelectorAll("[aria-invalid]"), function (n) {
      n.removeAttribute("aria-invalid");
    });
  }

  // Each problem goes next to the field its pointer names ("#/value", "#/sources/0/quote").
  function showProblems(r, placeFor, general) {
    var errors = (r.data && r.data.errors) || [];
    var placed = false;
    errors.forEach(function (e) {
      var name = (e.pointer || "").replace(/^#?\//, "").split("/")[0];
      var target = placeFor(name);
      if (!target) { return; }
      target.textContent = (target.textContent ? target.textContent + " " : "") +
        (e.pointer || "") + ": " + e.detail;
      var input = document.getElementById(target.id.replace(/-error$/, ""));
      if (input) { input.setAttribute("aria-invalid", "true"); }
      placed = true;
    });
    general.textContent = problemText(r);
    var invalid = placed ? document.querySelector("[aria-invalid='true']") : null;
    if (invalid) { invalid.focus(); }
  }

  // --- reading a document --------------------------------------------------------------------

  function openDocument(id) {
    show("document");
    state.selection = null;
    state.cardTermChosen = false;
    closeForm();
    Promise.all([
      api("GET", "/api/v1/documents/" + encodeURIComponent(id)),
      documentText(id),
    ]).then(function (results) {
      if (!results[0].ok) { flash(problemText(results[0]), true); return; }
      state.doc = results[0].data;
      state.text = results[1];
      state.sentences = window.EditorQuotes.sentences(state.text);
      $("doc-heading").textContent = state.doc.title;
      $("doc-meta").textContent = [state.doc.place, state.doc.dateline_text, state.doc.id]
        .filter(Boolean).join(" · ");
      return loadRecords();
    });
  }

  function loadRecords() {
    return Promise.all(KINDS.map(listAll)).then(function (lists) {
      state.records = {};
      state.citations = [];
      var unit = window.EditorQuotes.unitIndex(state.text);
      KINDS.forEach(function (kind, i) {
        state.records[kind] = lists[i];
        lists[i].forEach(function (record) {
          (record.sources || []).forEach(function (s) {
            if (s.document === state.doc.id) {
              state.citations.push({ kind: kind, id: record.id, start: unit(s.start), end: unit(s.end) });
            }
          });
        });
      });
      fillLists();
      renderText();
      renderRecords();
      renderLegend();
      chooseCardTerm();
    });
  }

  function fillLists() {
    var lists = { "list-terms": "terms", "list-people": "people",
      "list-organizations": "organizations" };
    Object.keys(lists).forEach(function (id) {
      var node = $(id);
      node.textContent = "";
      (state.records[lists[id]] || []).forEach(function (r) {
        node.appendChild(option(r.id, r.name || r.label || r.id));
      });
    });
    var all = $("list-records");
    all.textContent = "";
    KINDS.forEach(function (kind) {
      (state.records[kind] || []).forEach(function (r) { all.appendChild(option(kind + "/" + r.id, "")); });
    });
  }

  function coverage() {
    var cited = state.sentences.filter(function (s) {
      return state.citations.some(function (c) { return c.start < s[1] && c.end > s[0]; });
    }).length;
    var total = state.sentences.length;
    var share = total ? Math.round((100 * cited) / total) : 0;
    return share + "% (" + cited + "/" + total + " " + t("sentences") + ")";
  }

  // The text as spans: each run of characters covered by the same citations is one span, the
  // innermost citation naming its colour; the selection is a <mark>. textContent stays the text.
  function renderText() {
    var view = $("doc-text-view");
    var text = state.text;
    var cuts = [0, text.length];
    state.citations.forEach(function (c) { cuts.push(c.start, c.end); });
    if (state.selection) { cuts.push(state.selection.start, state.selection.end); }
    cuts = cuts.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    view.textContent = "";
    for (var i = 0; i + 1 < cuts.length; i += 1) {
      var s = cuts[i];
      var e = cuts[i + 1];
      var covering = state.citations.filter(function (c) { return c.start <= s && c.end >= e; });
      var node;
      if (state.selection && state.selection.start <= s && state.selection.end >= e) {
        node = document.createElement("mark");
        node.className = "sel";
      } else if (covering.length) {
        covering.sort(function (a, b) { return (a.end - a.start) - (b.end - b.start); });
        node = document.createElement("span");
        node.className = "cited k-" + covering[0].kind;
        node.title = covering.map(function (c) { return t("k_" + c.kind) + ": " + c.id; }).join("\n");
      } else {
        view.appendChild(document.createTextNode(text.slice(s, e)));
        continue;
      }
      node.textContent = text.slice(s, e);
      view.appendChild(node);
    }
    $("coverage").textContent = coverage();
    var quote = $("selection-quote");
    quote.textContent = state.selection ? text.slice(state.selection.start, state.selection.end)
      : t("no_selection");
  }

  function renderLegend() {
    var legend = $("legend");
    legend.textContent = "";
    KINDS.forEach(function (kind) {
      var n = state.citations.filter(function (c) { return c.kind === kind; }).length;
      if (!n) { return; }
      var chip = document.createElement("span");
      chip.className = "chip k-" + kind;
      chip.textContent = t("k_" + kind) + " " + n;
      legend.appendChild(chip);
    });
  }

  function renderRecords() {
    var list = $("record-list");
    list.textContent = "";
    var seen = {};
    state.citations.forEach(function (c) {
      var key = c.kind + "/" + c.id;
      if (seen[key]) { return; }
      seen[key] = true;
      var record = (state.records[c.kind] || []).filter(function (r) { return r.id === c.id; })[0] || {};
      var li = document.createElement("li");
      var label = document.createElement("span");
      label.className = "chip k-" + c.kind;
      label.textContent = t("k_" + c.kind);
      li.appendChild(label);
      var name = document.createElement("span");
      name.className = "record-name";
      name.textContent = " " + (record.name || record.label || record.text || record.role || c.id).slice(0, 90);
      li.appendChild(name);
      var actions = document.createElement("span");
      actions.className = "row-actions";
      [["edit", editRecord], ["retire", retireRecord], ["history", showHistory]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "small secondary";
        b.textContent = t(a[0]);
        b.setAttribute("aria-label", t(a[0]) + ": " + c.id);
        b.addEventListener("click", function () { a[1](c.kind, c.id); });
        actions.appendChild(b);
      });
      li.appendChild(actions);
      list.appendChild(li);
    });
  }

  // --- selecting -----------------------------------------------------------------------------

  function offsetIn(view, node, offset) {
    var range = document.createRange();
    range.setStart(view, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function takeMouseSelection() {
    var view = $("doc-text-view");
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!view.contains(range.startContainer) || !view.contains(range.endContainer)) { return; }
    select(offsetIn(view, range.startContainer, range.startOffset),
      offsetIn(view, range.endContainer, range.endOffset));
    selection.removeAllRanges();
  }

  // The quote is trimmed, as the API trims it, so the span is exactly what it locates.
  function select(start, end) {
    while (start < end && /\s/.test(state.text[start])) { start += 1; }
    while (end > start && /\s/.test(state.text[end - 1])) { end -= 1; }
    state.selection = end > start ? { start: start, end: end } : null;
    $("selection-error").textContent = "";
    renderText();
  }

  function sentenceAt(offset) {
    for (var i = 0; i < state.sentences.length; i += 1) {
      if (state.sentences[i][1] > offset) { return i; }
    }
    return state.sentences.length - 1;
  }

  function moveBySentence(which, step) {
    if (!state.sentences.length) { return; }
    var first = state.selection ? sentenceAt(state.selection.start) : 0;
    var last = state.selection ? sentenceAt(state.selection.end - 1) : 0;
    if (state.selection) {
      if (which === "start") { first = Math.min(Math.max(first + step, 0), last); }
      else { last = Math.max(Math.min(last + step, state.sentences.length - 1), first); }
    }
    select(state.sentences[first][0], state.sentences[last][1]);
  }

  function selectedSource() {
    if (!state.selection) { return null; }
    var span = state.selection;
    return window.EditorQuotes.sourceFor(state.doc.id, state.text, span.start, span.end);
  }

  // --- the record form -----------------------------------------------------------------------

  function prefill(kind, quote) {
    var values = {};
    var term = $("card-term").value;
    var body = window.SchemaForm.bodySchema(state.spec, kind).properties;
    if (body.term_id && term) { values.term_id = term; }
    var words = quote.replace(/[.;:,]+$/, "");
    if (body.text) { values.text = words; }
    if (kind === "people") { values.name = words; }
    if (kind === "statistics") { Object.assign(values, figure(quote)); }
    return values;
  }

  // A first guess at a figure as Vietnamese prints it: "trên 1,2 nghìn" is more_than 1200.
  // The editor checks it against the text; nothing is saved without their say.
  function figure(quote) {
    var pattern = /(trên|hơn|ít nhất|khoảng|gần)?\s*(\d+(?:[.,]\d+)*)\s*(nghìn|triệu|%)?/gi;
    var found = [];
    var one;
    while ((one = pattern.exec(quote))) { found.push(one); }
    // A qualified or scaled number is the figure; a bare one may be a year.
    var m = found.filter(function (f) { return f[1] || f[3]; })[0] || found[0];
    if (!m) { return {}; }
    var digits = m[2];
    var thousands = /^\d{1,3}(\.\d{3})+$/.test(digits);
    var value = Number(thousands ? digits.replace(/\./g, "") : digits.replace(",", "."));
    var scale = { "nghìn": 1000, "triệu": 1000000 }[(m[3] || "").toLowerCase()] || 1;
    var qualifier = { "trên": "more_than", "hơn": "more_than", "ít nhất": "at_least",
      "khoảng": "about", "gần": "about" }[(m[1] || "").toLowerCase()] || "exact";
    return { value: Math.round(value * scale * 100) / 100, qualifier: qualifier };
  }

  function newRecord() {
    var source = selectedSource();
    if (!source) { $("selection-error").textContent = t("select_first"); return; }
    var kind = $("kind-select").value;
    openForm({ mode: "new", kind: kind, values: prefill(kind, source.quote), source: source });
  }

  function openForm(form) {
    state.form = form;
    var node = $("record-form");
    node.hidden = false;
    clearProblems(node);
    $("record-heading").textContent = t(form.mode === "new" ? "new_of" : "edit_of") + ": " +
      t("k_" + form.kind) + (form.id ? " " + form.id : "");
    window.SchemaForm.build($("record-fields"), state.spec, form.kind, form.values, t);
    var idInput = $("rf-id");
    if (idInput && form.mode === "edit") { idInput.readOnly = true; }
    $("stat-preview-wrap").hidden = form.kind !== "statistics";
    previewStatistic();
    var firstEmpty = Array.prototype.filter.call(node.querySelectorAll("input, select, textarea"),
      function (n) { return !n.readOnly && !n.value; })[0];
    (firstEmpty || $("record-fields").querySelector("input, select, textarea")).focus();
  }

  function closeForm() {
    state.form = null;
    $("record-form").hidden = true;
  }

  function number(value) {
    var text = Number.isInteger(value) ? value.toLocaleString("en-US")
      : value.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
    if (state.lang === "vi") {
      text = text.replace(/[,.]/g, function (c) { return c === "," ? "." : ","; });
    }
    return text;
  }

  // How the card prints a figure (app/cards.py statistic_value and statistic_period).
  function previewStatistic() {
    if (!state.form || state.form.kind !== "statistics") { return; }
    var v = window.SchemaForm.read($("record-fields"), false);
    var index = state.lang === "vi" ? 0 : 1;
    if (typeof v.value !== "number") { $("stat-preview").textContent = "…"; return; }
    var figure = number(v.value);
    if (typeof v.value_max === "number") { figure += "–" + number(v.value_max); }
    var text = (QUALIFIER[v.qualifier] || ["", ""])[index] + figure + (UNIT[v.unit] || ["", ""])[index];
    var period = null;
    if (state.lang === "vi") { period = v.as_of_text || null; }
    else if (v.period_start && v.period_end) { period = v.period_start + "–" + v.period_end; }
    else if (v.period_start) { period = "since " + v.period_start; }
    $("stat-preview").textContent = text + (v.label_vi && index === 0 ? " · " + v.label_vi : "") +
      (v.label_en && index === 1 ? " · " + v.label_en : "") + (period ? " · " + period : "");
  }

  function formProblemPlace(name) {
    if (name === "sources") { return $("sources-error"); }
    return $("rf-" + name + "-error");
  }

  function submitRecord(event) {
    event.preventDefault();
    var form = state.form;
    if (!form) { return; }
    clearProblems($("record-form"));
    if (form.mode === "new") {
      var body = window.SchemaForm.read($("record-fields"), false);
      body.sources = [form.source];
      api("POST", "/api/v1/" + form.kind, { body: body }).then(function (r) {
        if (r.status === 201) { saved(t("saved") + ": " + body.id); return; }
        writeFailed(r);
      });
    } else {
      patch(form, changes(form));
    }
  }

  // Merge patch of what the editor changed: fields typed differently, emptied ones as null.
  function changes(form) {
    var now = window.SchemaForm.read($("record-fields"), true);
    var out = {};
    Object.keys(now).forEach(function (k) {
      var before = form.values[k] === undefined ? null : form.values[k];
      if (JSON.stringify(now[k]) !== JSON.stringify(before)) { out[k] = now[k]; }
    });
    return out;
  }

  function patch(form, body) {
    return api("PATCH", "/api/v1/" + form.kind + "/" + form.id,
      { body: body, contentType: "application/merge-patch+json", ifMatch: form.etag }
    ).then(function (r) {
      if (r.ok) { form.etag = r.etag; saved(t("saved") + ": " + form.id); return; }
      if (r.status === 412) { conflict(form, body, r); return; }
      writeFailed(r);
    });
  }

  function writeFailed(r) {
    if (r.status === 401) { refused(); return; }
    showProblems(r, formProblemPlace, $("record-form-error"));
  }

  function saved(message) {
    closeForm();
    state.selection = null;
    loadRecords().then(function () { flash(message); });  // loadRecords refreshes the card
  }

  // The record as the write API takes it: the newest entry of its history holds that shape.
  function loadRecord(kind, id) {
    var path = "/api/v1/" + kind + "/" + encodeURIComponent(id);
    var history = path + "/history?limit=1";
    return Promise.all([api("GET", path), api("GET", history)]).then(function (rs) {
      if (!rs[0].ok) { throw rs[0]; }
      var total = rs[1].ok ? rs[1].data.total : 0;
      var newest = total > 1 ? api("GET", history + "&offset=" + (total - 1)) : Promise.resolve(rs[1]);
      return newest.then(function (r) {
        var after = r.ok && r.data.items.length ? r.data.items[0].after : null;
        return { etag: rs[0].etag, values: after || rs[0].data };
      });
    });
  }

  function editRecord(kind, id) {
    loadRecord(kind, id).then(function (found) {
      var values = {};
      Object.keys(found.values).forEach(function (k) { if (k !== "sources") { values[k] = found.values[k]; } });
      openForm({ mode: "edit", kind: kind, id: id, etag: found.etag, values: values });
    }, function (r) { flash(problemText(r), true); });
  }

  function conflict(form, body, r) {
    var dialog = $("conflict");
    $("conflict-yours").textContent = JSON.stringify(body, null, 2);
    $("conflict-theirs").textContent = "…";
    loadRecord(form.kind, form.id).then(function (found) {
      form.current = found;
      var theirs = {};
      Object.keys(body).forEach(function (k) { theirs[k] = found.values[k] === undefined ? null : found.values[k]; });
      $("conflict-theirs").textContent = JSON.stringify(theirs, null, 2);
    });
    form.pending = body;
    dialog.showModal();
  }

  function reapply() {
    var form = state.form;
    $("conflict").close();
    if (!form || !form.current) { return; }
    form.etag = form.current.etag;
    patch(form, form.pending);
  }

  // Loads the current version into the form; what the editor typed stays in the dialog's
  // "yours" pane and in the form's error area, so nothing is lost.
  function reloadCurrent() {
    var form = state.form;
    $("conflict").close();
    if (!form || !form.current) { return; }
    var typed = JSON.stringify(form.pending);
    form.etag = form.current.etag;
    form.values = {};
    Object.keys(form.current.values).forEach(function (k) {
      if (k !== "sources") { form.values[k] = form.current.values[k]; }
    });
    window.SchemaForm.build($("record-fields"), state.spec, form.kind, form.values, t);
    $("record-form-error").textContent = t("kept") + ": " + typed;
  }

  function retireRecord(kind, id) {
    if (!window.confirm(t("confirm_retire"))) { return; }
    var path = "/api/v1/" + kind + "/" + encodeURIComponent(id);
    api("GET", path).then(function (r) {
      return api("DELETE", path, { ifMatch: r.etag });
    }).then(function (r) {
      if (r.status === 204) { saved(t("retired") + ": " + id); return; }
      if (r.status === 401) { refused(); return; }
      flash(problemText(r), true);
    });
  }

  function showHistory(kind, id) {
    var dialog = $("history");
    $("history-error").textContent = "";
    api("GET", "/api/v1/" + kind + "/" + encodeURIComponent(id) + "/history?limit=500").then(function (r) {
      var rows = $("history-rows");
      rows.textContent = "";
      (r.ok ? r.data.items : []).forEach(function (c) {
        var tr = document.createElement("tr");
        [String(c.n), c.at.replace("T", " ").slice(0, 19), c.actor, c.operation].forEach(function (v) {
          tr.appendChild(cell(v));
        });
        var td = document.createElement("td");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "small secondary";
        b.textContent = t("revert");
        b.setAttribute("aria-label", t("revert") + " #" + c.n);
        b.addEventListener("click", function () { revert(c.n); });
        td.appendChild(b);
        tr.appendChild(td);
        rows.appendChild(tr);
      });
      dialog.showModal();
    });
  }

  function revert(n) {
    api("POST", "/api/v1/changes/" + n + "/revert").then(function (r) {
      if (r.ok) { $("history").close(); saved(t("reverted") + ": #" + n); return; }
      $("history-error").textContent = problemText(r);
    });
  }

  // A selection as one more source of an existing record: its sources, with the new one.
  function attach() {
    var source = selectedSource();
    var error = $("selection-error");
    error.textContent = "";
    if (!source) { error.textContent = t("select_first"); return; }
    var target = $("attach-target").value.trim().split("/");
    if (target.length !== 2 || KINDS.indexOf(target[0]) < 0) { error.textContent = t("error") + ": " + $("attach-target").value; return; }
    loadRecord(target[0], target[1]).then(function (found) {
      var existing = found.values.sources || [];
      return Promise.all(existing.map(function (s) {
        return documentText(s.document).then(function (text) {
          var unit = window.EditorQuotes.unitIndex(text);
          return window.EditorQuotes.sourceFor(s.document, text, unit(s.start), unit(s.end));
        });
      })).then(function (sources) {
        return api("PATCH", "/api/v1/" + target[0] + "/" + target[1], {
          body: { sources: sources.concat([source]) }, contentType: "application/merge-patch+json",
          ifMatch: found.etag,
        });
      });
    }).then(function (r) {
      if (r.ok) { $("attach-target").value = ""; saved(t("attached") + ": " + target[1]); return; }
      if (r.status === 401) { refused(); return; }
      error.textContent = problemText(r);
    }, function (r) { error.textContent = problemText(r); });
  }

  // --- the card preview ----------------------------------------------------------------------

  function chooseCardTerm() {
    var select = $("card-term");
    var chosen = select.value;
    select.textContent = "";
    var terms = state.records.terms || [];
    terms.forEach(function (term) { select.appendChild(option(term.id, term.label + " (" + term.id + ")")); });
    var citing = state.citations.filter(function (c) { return c.kind === "terms"; })[0];
    var kept = state.cardTermChosen && terms.some(function (x) { return x.id === chosen; });
    if (kept) { select.value = chosen; } else if (citing) { select.value = citing.id; }
    refreshCard();
  }

  function refreshCard() {
    var frame = $("card-frame");
    var term = $("card-term").value;
    if (!term) { frame.removeAttribute("src"); return; }
    var url = "/embed/terms/" + encodeURIComponent(term) + (state.lang === "en" ? "?lang=en" : "");
    if (frame.getAttribute("src") === url && frame.contentWindow) {
      frame.contentWindow.location.reload();  // revalidates: the card's ETag moved with the save
    } else {
      frame.setAttribute("src", url);
    }
  }

  // --- start ---------------------------------------------------------------------------------

  function start() {
    translate();
    $("token-form").addEventListener("submit", submitToken);
    $("document-form").addEventListener("submit", submitDocument);
    $("record-form").addEventListener("submit", submitRecord);
    $("record-form").addEventListener("input", previewStatistic);
    $("record-cancel").addEventListener("click", closeForm);
    $("new-record").addEventListener("click", newRecord);
    $("attach").addEventListener("click", attach);
    $("card-term").addEventListener("change", function () {
      state.cardTermChosen = true;
      refreshCard();
    });
    $("doc-text-view").addEventListener("mouseup", takeMouseSelection);
    $("doc-text-view").addEventListener("keyup", function (e) { if (e.shiftKey) { takeMouseSelection(); } });
    $("start-prev").addEventListener("click", function () { moveBySentence("start", -1); });
    $("start-next").addEventListener("click", function () { moveBySentence("start", 1); });
    $("end-prev").addEventListener("click", function () { moveBySentence("end", -1); });
    $("end-next").addEventListener("click", function () { moveBySentence("end", 1); });
    $("conflict-reapply").addEventListener("click", reapply);
    $("conflict-reload").addEventListener("click", reloadCurrent);
    $("conflict-close").addEventListener("click", function () { $("conflict").close(); });
    $("history-close").addEventListener("click", function () { $("history").close(); });
    $("sign-out").addEventListener("click", function () {
      sessionStorage.removeItem(TOKEN_KEY);
      route();
    });
    $("lang-toggle").addEventListener("click", function () {
      state.lang = state.lang === "vi" ? "en" : "vi";
      localStorage.setItem(LANG_KEY, state.lang);
      translate();
      if (state.form) {
        var typed = window.SchemaForm.read($("record-fields"), false);
        window.SchemaForm.build($("record-fields"), state.spec, state.form.kind, typed, t);
        $("record-heading").textContent = t(state.form.mode === "new" ? "new_of" : "edit_of") + ": " +
          t("k_" + state.form.kind) + (state.form.id ? " " + state.form.id : "");
      }
      if (state.doc && !$("screen-document").hidden) { renderText(); renderLegend(); renderRecords(); refreshCard(); }
      previewStatistic();
    });
    window.addEventListener("hashchange", route);
    api("GET", "/openapi.json").then(function (r) {
      state.spec = r.data;
      route();
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
