// Spans of a document's text: its sentences (for selecting by keyboard) and a selection as
// the API's source quote. Also loaded by tests/test_editor_quotes.py under Node.
"use strict";
(function (root) {
  // Sentences end at . ! ? … followed by a space, or at a line break.
  function sentences(text) {
    var found = [];
    var pattern = /[^\n.!?…]*(?:[.!?…]+(?=\s|$)|\n|$)/g;
    var m;
    var at = 0;
    while (at < text.length) {
      pattern.lastIndex = at;
      m = pattern.exec(text);
      var end = m && m[0].length ? at + m[0].length : text.length;
      if (end === at) { end = at + 1; }
      var s = at;
      var e = end;
      while (s < e && /\s/.test(text[s])) { s += 1; }
      while (e > s && /\s/.test(text[e - 1])) { e -= 1; }
      if (e > s) { found.push([s, e]); }
      at = end;
    }
    return found;
  }

  // The API finds a quote after collapsing whitespace (app/seeding/quotes.py); `occurrence`
  // says which match is meant, so this counts matches the same way up to the selection.
  function collapse(text) {
    var chars = [];
    var origin = [];
    var space = false;
    for (var i = 0; i < text.length; i += 1) {
      if (/\s/.test(text[i])) {
        if (space) { continue; }
        chars.push(" ");
        space = true;
      } else {
        chars.push(text[i]);
        space = false;
      }
      origin.push(i);
    }
    return { text: chars.join(""), origin: origin };
  }

  function sourceFor(documentId, text, start, end) {
    var quote = text.slice(start, end);
    var haystack = collapse(text);
    var needle = collapse(quote.normalize("NFC").trim()).text;
    var occurrence = 0;
    var at = haystack.text.indexOf(needle);
    while (at !== -1 && haystack.origin[at] <= start) {
      occurrence += 1;
      at = haystack.text.indexOf(needle, at + 1);
    }
    return { document: documentId, quote: quote, occurrence: Math.max(occurrence, 1) };
  }

  // The API counts offsets in code points (Python strings), JavaScript in UTF-16 units: the
  // returned function turns the one into the other (the same number without astral chars).
  function unitIndex(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) { return function (n) { return n; }; }
    var at = [0];
    for (var i = 0; i < text.length; i += 1) {
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) { i += 1; }
      at.push(i + 1);
    }
    return function (n) { return at[n]; };
  }

  root.EditorQuotes = { sentences: sentences, sourceFor: sourceFor, unitIndex: unitIndex };
})(typeof window !== "undefined" ? window : globalThis);
