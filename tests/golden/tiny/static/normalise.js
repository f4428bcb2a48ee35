/* The browser's twin of archive/normalise.py: the same fold and the same terms, from the same
 * table (static/normalise-table.js, generated from Python's Unicode data), so that a query is
 * cut exactly as the index was. Read archive/normalise.py for what the fold and the terms are.
 *
 * window.ArchiveNormalise.tokens(text) -> [term, ...]
 * window.ArchiveNormalise.spans(text, trailing) -> [{term, start, end}, ...]: each term with the
 *   range of the text it was read from (UTF-16 offsets, end excluded), for marking matches in
 *   place. `trailing`: also the last character of each CJK run of two or more, after the run's
 *   bigrams, as the index has it (tokens(text, trailing=True) in Python), marked `trailing: true`.
 * window.ArchiveNormalise.fold(text) -> the folded text.
 */
(function () {
  "use strict";

  var SEPARATOR = 0, WORD = 1, LATIN = 2, MARK = 3, CJK = 4, SYMBOL = 5;
  var table = window.ArchiveNormaliseTable;
  var folds = new Map();
  var starts = [];
  var kinds = [];

  (function read() {
    var at = 0, i;
    for (i = 0; i < table.folds.length; i += 2) {
      at += table.folds[i];
      folds.set(at, table.folds[i + 1]);
    }
    at = 0;
    for (i = 0; i < table.runs.length; i += 2) {
      at += table.runs[i];
      starts.push(at);
      kinds.push(table.runs[i + 1]);
    }
  })();

  function classOf(code) {
    var low = 0, high = starts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (starts[middle] <= code) low = middle;
      else high = middle - 1;
    }
    return kinds[low];
  }

  /* The folded text, and for each of its UTF-16 units the range of the text it came from. */
  function foldWithOrigins(text) {
    var out = [], from = [], to = [];
    var latin = false;
    for (var i = 0; i < text.length; ) {
      var code = text.codePointAt(i);
      var width = code > 0xffff ? 2 : 1;
      var kind = classOf(code);
      var folded = folds.has(code) ? folds.get(code) : String.fromCodePoint(code);
      if (kind === MARK) {
        if (latin) {
          i += width;
          continue;
        }
      } else {
        latin = kind === LATIN;
      }
      for (var j = 0; j < folded.length; j++) {
        out.push(folded[j]);
        from.push(i);
        to.push(i + width);
      }
      i += width;
    }
    return { text: out.join(""), from: from, to: to };
  }

  function spans(text, trailing) {
    var folded = foldWithOrigins(text);
    var f = folded.text;
    var found = [];
    var units = []; /* [start, end) in the folded text */
    var run = SEPARATOR;

    function endRun() {
      if (run === CJK) {
        if (units.length === 1) push(units[0][0], units[0][1]);
        for (var k = 0; k + 1 < units.length; k++) push(units[k][0], units[k + 1][1]);
        if (trailing && units.length > 1) push(units[units.length - 1][0], units[units.length - 1][1], true);
      } else if (run !== SEPARATOR && units.length) {
        push(units[0][0], units[units.length - 1][1]);
      }
    }
    function push(start, end, last) {
      var span = { term: f.slice(start, end), start: folded.from[start], end: folded.to[end - 1] };
      if (last) span.trailing = true;
      found.push(span);
    }

    for (var i = 0; i < f.length; ) {
      var code = f.codePointAt(i);
      var width = code > 0xffff ? 2 : 1;
      var kind = classOf(code);
      if (kind === MARK && run !== SEPARATOR) {
        units[units.length - 1][1] = i + width;
        i += width;
        continue;
      }
      if (kind === LATIN) kind = WORD;
      if (kind !== run || kind === SYMBOL) {
        endRun();
        units = [];
        run = kind === WORD || kind === CJK || kind === SYMBOL ? kind : SEPARATOR;
      }
      if (run !== SEPARATOR) units.push([i, i + width]);
      i += width;
    }
    endRun();
    return found;
  }

  window.ArchiveNormalise = {
    CJK: CJK,
    classOf: classOf,
    fold: function (text) {
      return foldWithOrigins(text).text;
    },
    spans: spans,
    tokens: function (text) {
      return spans(text).map(function (span) {
        return span.term;
      });
    },
  };
})();
