/* Full-text search that works from disk: the box on every page, search.html, and the marks on a
 * document page opened from a result (documents/PAGE.html?q=...).
 *
 * Everything is loaded as script files, inserted with <script src> when first needed, relative
 * to the site root given by <body data-root>: static/normalise-table.js and static/normalise.js
 * (the query is cut exactly as the index was), static/texts.js (texts for snippets and
 * phrases), search/meta.js, then only the shards of the query's terms and the tables of the
 * documents shown. archive/outputs/search.py describes the files. No fetch, no eval: it works
 * over file:// in every browser, under a policy of script-src 'self'.
 *
 * Ranking is BM25 (k1 = 1.2, b = 0.75) over the weighted frequencies the index stores (title
 * and publisher count more than the text); the last word of a query also matches as the start
 * of a word (from its second character, or its first in Chinese or Japanese); "double quotes"
 * ask for a phrase, confirmed on the loaded text. Nothing from the index or the texts is ever
 * parsed as markup: results are built from elements and text nodes.
 *
 * On search.html the filters of static/filters.js (window.ArchiveFilter) narrow the results:
 * every result's page is read from the document tables, its filter record looked up, and only
 * those the address's filter passes are ranked and shown; the form counts the results
 * (ArchiveFilter.setScope). The address holds both: #q=TEXT&stance=...&publisher=...
 */
(function () {
  "use strict";

  var K1 = 1.2, B = 0.75;
  var PER_PAGE = 20, IN_PANEL = 5, PHRASE_CHECKS = 200, SNIPPET = 220;
  var MARK = 3; /* the class of a combining mark in static/normalise.js */
  var WINDOW = 20000, KEPT_TEXTS = 40;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = Object.create(null);
  for (var d = 0; d < ALPHABET.length; d++) DIGIT[ALPHABET[d]] = d;

  var body = document.body;
  var root = (body && body.getAttribute("data-root")) || "";
  var box = document.querySelector("[data-search-box]");
  var panel = document.querySelector("[data-search-results]");
  var list = document.querySelector("[data-search-page]"); /* only on search.html */
  var status = document.querySelector("[data-search-status]");
  var orderControls = document.querySelector("[data-search-order]");
  var filters = list && window.ArchiveFilter ? window.ArchiveFilter : null; /* search.html only */

  /* --- script files ------------------------------------------------------------------------ */

  var loading = Object.create(null);
  var registry = { meta: Object.create(null), shard: Object.create(null), docs: Object.create(null) };

  var decoded = Object.create(null); /* file -> the promise of its data, decoded once */

  /* Each file of the index calls one of these with its name and its data's JSON, deflated and
   * packed as a text is (archive/outputs/search.py, script); ArchiveTexts.decode reads it. */
  window.ArchiveSearch = {
    meta: function (name, length, data) {
      registry.meta[name] = [length, data];
    },
    shard: function (name, length, data) {
      registry.shard[name] = [length, data];
    },
    docs: function (name, length, data) {
      registry.docs[name] = [length, data];
    },
  };

  function loadScript(file) {
    if (!loading[file]) {
      loading[file] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root + file;
        script.onload = function () {
          script.remove();
          resolve();
        };
        script.onerror = function () {
          script.remove();
          delete loading[file];
          reject(new Error(file + " is missing"));
        };
        document.head.appendChild(script);
      });
    }
    return loading[file];
  }

  /* A file of the index: resolves to what it registered, or rejects saying which file failed. */
  function loadData(kind, name, file) {
    if (!decoded[file]) {
      decoded[file] = loadScript(file)
        .then(function () {
          var found = Object.prototype.hasOwnProperty.call(registry[kind], name) ? registry[kind][name] : null;
          delete registry[kind][name];
          if (!found || typeof found[0] !== "number" || typeof found[1] !== "string") throw new Error("not registered");
          return window.ArchiveTexts.decode(found[0], found[1]);
        })
        .then(JSON.parse)
        .catch(function (error) {
          if (/ is missing$/.test(error.message)) throw error;
          throw new Error(file + " is damaged");
        });
      decoded[file].catch(function () {
        delete decoded[file]; /* a later query may try again */
        delete loading[file];
      });
    }
    return decoded[file];
  }

  var prepared = null;
  function prepare() {
    if (!prepared) {
      prepared = loadScript("static/normalise-table.js")
        .then(function () {
          return loadScript("static/normalise.js");
        })
        .then(function () {
          return loadScript("static/texts.js");
        })
        .then(function () {
          if (!window.ArchiveNormalise || !window.ArchiveTexts) throw new Error("static/normalise.js is damaged");
          return loadData("meta", "", "search/meta.js");
        })
        .then(readMeta);
      prepared.catch(function () {
        prepared = null;
      });
    }
    return prepared;
  }

  function numbers(coded) {
    var out = [], value = 0, shift = 0;
    for (var i = 0; i < coded.length; i++) {
      var digit = DIGIT[coded[i]];
      if (digit === undefined) throw new Error("bad number");
      value += (digit & 31) * Math.pow(2, shift);
      if (digit & 32) {
        shift += 5;
      } else {
        out.push(value);
        value = 0;
        shift = 0;
      }
    }
    return out;
  }

  function readMeta(meta) {
    return {
      documents: meta.documents,
      average: meta.average || 1,
      buckets: meta.buckets,
      shards: meta.shards,
      counts: meta.counts,
      tables: meta.tables.map(numbers),
      stances: meta.stances,
      lengths: meta.lengths.map(function (coded) {
        return numbers(coded).map(function (q) {
          return Math.pow(2, q / 8) - 1;
        });
      }),
      ranks: meta.ranks.map(numbers),
    };
  }

  /* --- queries ------------------------------------------------------------------------------ */

  function fnv(text) {
    var value = 0x811c9dc5;
    for (var i = 0; i < text.length; ) {
      var code = text.codePointAt(i);
      value = Math.imul(value ^ code, 0x01000193) >>> 0;
      i += code > 0xffff ? 2 : 1;
    }
    return value;
  }

  function firstChars(term, count) {
    return Array.from(term).slice(0, count).join("");
  }

  function isCjk(term) {
    return window.ArchiveNormalise.classOf(term.codePointAt(0)) === window.ArchiveNormalise.CJK;
  }

  /* How many characters a term has, not counting the marks that go with them. */
  function units(term) {
    return Array.from(term).filter(function (c) {
      return window.ArchiveNormalise.classOf(c.codePointAt(0)) !== MARK;
    }).length;
  }

  function shardOf(term, meta) {
    return fnv(firstChars(term, isCjk(term) ? 1 : 2)) % meta.shards;
  }

  /* The query's terms (the last one perhaps a prefix) and its phrases. */
  function parse(query) {
    var folded = query.replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02]/g, '"');
    var segments = folded.split('"');
    var terms = [], phrases = [], runs = [], seen = Object.create(null);
    segments.forEach(function (segment, i) {
      var cut = window.ArchiveNormalise.spans(segment);
      var found = cut.map(function (span) {
        return span.term;
      });
      if (i % 2 === 1 && found.length > 1) phrases.push(found);
      else runsOf(cut).forEach(function (run) {
        runs.push(run);
      });
      found.forEach(function (term) {
        if (!seen[term]) {
          seen[term] = true;
          terms.push({ term: term, prefix: false });
        }
      });
    });
    terms.forEach(function (item) {
      if (isCjk(item.term) && units(item.term) === 1) item.prefix = true; /* wherever it stands in a run */
    });
    var last = terms[terms.length - 1];
    var open = segments.length % 2 === 1 && !/[\s"]$/.test(folded);
    if (last && open && segments[segments.length - 1].trim()) {
      var lastTokens = window.ArchiveNormalise.tokens(segments[segments.length - 1]);
      if (lastTokens[lastTokens.length - 1] === last.term && (Array.from(last.term).length >= 2 || isCjk(last.term))) {
        last.prefix = true;
      }
    }
    return { terms: terms, phrases: phrases, runs: runs };
  }

  /* The query's runs of overlapping pairs (a word of Chinese, Japanese or Thai written in one
   * run): each is marked where the whole run stands, not where one of its pairs does. */
  function runsOf(spans) {
    var out = [], run = [];
    spans.forEach(function (span, i) {
      var joined = i > 0 && isCjk(span.term) && isCjk(spans[i - 1].term) && span.start < spans[i - 1].end;
      if (!joined) {
        if (run.length > 1) out.push(run);
        run = [];
      }
      run.push(span.term);
    });
    if (run.length > 1) out.push(run);
    return out;
  }

  var postingsCache = Object.create(null);

  /* Map "bucket:place" -> weighted frequency, for a term or every term starting with it. */
  function lookup(item, meta) {
    var key = (item.prefix ? "^" : "=") + item.term;
    if (!postingsCache[key]) {
      var shard = shardOf(item.term, meta);
      var files = [];
      meta.counts.forEach(function (count, bucket) {
        if (count) {
          var name = bucket + "-" + shard;
          files.push(loadData("shard", name, "search/t-" + name + ".js").then(function (data) {
            return [bucket, data];
          }));
        }
      });
      postingsCache[key] = Promise.all(files).then(function (loaded) {
        var found = new Map();
        loaded.forEach(function (pair) {
          var bucket = pair[0], data = pair[1];
          Object.keys(data).forEach(function (term) {
            if (item.prefix ? term.indexOf(item.term) !== 0 : term !== item.term) return;
            var values = numbers(data[term]), place = 0;
            for (var i = 0; i < values.length; i += 2) {
              place += values[i];
              var doc = bucket + ":" + place;
              found.set(doc, (found.get(doc) || 0) + values[i + 1]);
            }
          });
        });
        return found;
      });
      postingsCache[key].catch(function () {
        delete postingsCache[key];
      });
    }
    return postingsCache[key];
  }

  function rank(query, meta, order) {
    return Promise.all(query.terms.map(function (item) {
      return lookup(item, meta);
    })).then(function (maps) {
      if (!maps.length) return [];
      var smallest = maps.slice().sort(function (a, b) {
        return a.size - b.size;
      })[0];
      var results = [];
      smallest.forEach(function (_, doc) {
        var score = 0;
        for (var i = 0; i < maps.length; i++) {
          var tf = maps[i].get(doc);
          if (tf === undefined) return;
          var df = maps[i].size;
          var where = doc.split(":");
          var length = meta.lengths[+where[0]][+where[1]];
          var idf = Math.log(1 + (meta.documents - df + 0.5) / (df + 0.5));
          score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / meta.average));
        }
        var parts = doc.split(":");
        results.push({ bucket: +parts[0], place: +parts[1], score: score, rank: meta.ranks[+parts[0]][+parts[1]] });
      });
      results.sort(function (a, b) {
        if (order === "date") return a.rank - b.rank;
        if (order === "newest") return b.rank - a.rank;
        return b.score - a.score || a.rank - b.rank;
      });
      return results;
    });
  }

  /* The document table that lists a result, and its row there (tables list the bucket in order). */
  function tableOf(result, meta) {
    var sizes = meta.tables[result.bucket], table = 0, first = 0;
    while (table < sizes.length - 1 && result.place >= first + sizes[table]) first += sizes[table++];
    return { name: result.bucket + "-" + table, row: result.place - first };
  }

  function row(result, meta) {
    var table = tableOf(result, meta), name = table.name;
    return loadData("docs", name, "search/d-" + name + ".js").then(function (rows) {
      var found = rows[table.row];
      if (!found) throw new Error("search/d-" + name + ".js is damaged");
      return {
        page: found[0],
        title: found[1],
        publisher: found[2],
        date: found[3],
        machine: found[4].replace(/[?~]$/, ""),
        stance: found[5],
        language: found[6],
      };
    });
  }

  /* The page of every result, in order, from the document tables (loaded together, once each). */
  function pagesOf(ranked, meta) {
    var files = Object.create(null), names = [];
    ranked.forEach(function (result) {
      var name = tableOf(result, meta).name;
      if (!files[name]) names.push((files[name] = name));
    });
    return Promise.all(names.map(function (name) {
      return loadData("docs", name, "search/d-" + name + ".js");
    })).then(function (loaded) {
      var tables = Object.create(null);
      names.forEach(function (name, i) {
        tables[name] = loaded[i];
      });
      return ranked.map(function (result) {
        var table = tableOf(result, meta);
        var found = tables[table.name][table.row];
        if (!found) throw new Error("search/d-" + table.name + ".js is damaged");
        return found[0];
      });
    });
  }

  var byPage = null;

  /* The results the address's filter passes, and the pages of all of them (for the counts). */
  function narrow(ranked, meta) {
    return Promise.all([filters.load(), pagesOf(ranked, meta)]).then(function (loaded) {
      if (!byPage) {
        byPage = Object.create(null);
        loaded[0].records.forEach(function (record) {
          byPage[record.page] = record;
        });
      }
      var pages = loaded[1], state = filters.state();
      var kept = ranked.filter(function (result, i) {
        var record = byPage[pages[i]];
        return record !== undefined && filters.match(record, state) !== "";
      });
      return { kept: kept, pages: pages };
    });
  }

  /* The ranges of a text that match the query: its words, and each phrase as one range.
   * `spans`: the text's spans with the trailing CJK characters the index has (see
   * static/normalise.js), so that a lone CJK character is found where it ends a run. */
  function hitsIn(spans, query) {
    var inPhrase = Object.create(null);
    var together = query.phrases.concat(query.runs || []);
    together.forEach(function (phrase) {
      phrase.forEach(function (term) {
        inPhrase[term] = true;
      });
    });
    var loose = query.terms.filter(function (item) {
      return !inPhrase[item.term];
    });
    var out = [];
    var words = together.length
      ? spans.filter(function (span) {
          return !span.trailing;
        })
      : spans;
    spans.forEach(function (span) {
      var hit = loose.some(function (item) {
        return item.prefix ? span.term.indexOf(item.term) === 0 : span.term === item.term;
      });
      if (hit) out.push({ start: span.start, end: span.end });
    });
    together.forEach(function (phrase) {
      words.forEach(function (span, i) {
        var k = 0;
        while (k < phrase.length && i + k < words.length && words[i + k].term === phrase[k]) k++;
        if (k === phrase.length) out.push({ start: span.start, end: words[i + k - 1].end });
      });
    });
    out.sort(function (a, b) {
      return a.start - b.start || b.end - a.end;
    });
    var merged = []; /* overlapping ranges (a phrase, a run of CJK pairs) are one */
    out.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range.start < last.end) last.end = Math.max(last.end, range.end);
      else merged.push({ start: range.start, end: range.end });
    });
    return merged;
  }

  function matches(text, query) {
    return hitsIn(window.ArchiveNormalise.spans(text, true), query);
  }

  /* A result's text cut into terms a window at a time, as far as a snippet needs, and kept for
   * the next keystroke: a long text is not cut whole for the few words a snippet shows. Windows
   * end after a line break, where no term and no fold reaches across. */
  var cutTexts = new Map();

  function cutText(page, text) {
    var known = cutTexts.get(page);
    if (!known || known.text !== text) {
      known = { text: text, windows: [], next: 0 };
      cutTexts.set(page, known);
      if (cutTexts.size > KEPT_TEXTS) cutTexts.delete(cutTexts.keys().next().value);
    }
    return known;
  }

  function windowOf(known, i) {
    var text = known.text;
    while (known.windows.length <= i && known.next < text.length) {
      var from = known.next, to = text.length;
      if (from + WINDOW < text.length) {
        var cut = text.lastIndexOf("\n", from + WINDOW);
        if (cut < from) cut = text.indexOf("\n", from + WINDOW);
        if (cut >= 0) to = cut + 1;
      }
      var found = window.ArchiveNormalise.spans(text.slice(from, to), true);
      found.forEach(function (span) {
        span.start += from;
        span.end += from;
      });
      known.windows.push({ from: from, to: to, spans: found });
      known.next = to;
    }
    return known.windows[i];
  }

  /* The matches of the first window that has any, with the next window's when the first match
   * is near its end (the snippet reaches into it). */
  function firstHits(page, text, query) {
    var known = cutText(page, text);
    for (var i = 0; ; i++) {
      var part = windowOf(known, i);
      if (!part) return [];
      var hits = hitsIn(part.spans, query);
      if (hits.length) {
        var next = hits[0].start + SNIPPET + 60 > part.to ? windowOf(known, i + 1) : null;
        return next ? hits.concat(hitsIn(next.spans, query)) : hits;
      }
    }
  }

  function holdsPhrases(spans, phrases) {
    return phrases.every(function (phrase) {
      for (var i = 0; i + phrase.length <= spans.length; i++) {
        var k = 0;
        while (k < phrase.length && spans[i + k].term === phrase[k]) k++;
        if (k === phrase.length) return true;
      }
      return false;
    });
  }

  /* Results in order with their rows and texts, phrases confirmed; `wanted` of them at most. */
  function resolve(query, meta, ranked, wanted) {
    var shown = [], checked = 0, at = 0;
    function next() {
      if (shown.length >= wanted || at >= ranked.length) return Promise.resolve();
      if (query.phrases.length && checked >= PHRASE_CHECKS) return Promise.resolve();
      var result = ranked[at++];
      return row(result, meta).then(function (found) {
        return window.ArchiveTexts.get(found.page).then(function (text) {
          checked++;
          var holds = !query.phrases.length || holdsPhrases(window.ArchiveNormalise.spans(found.title + "\n" + text), query.phrases);
          if (holds) {
            shown.push({ result: result, row: found, text: text, marked: { hits: firstHits(found.page, text, query) } });
          }
          return next();
        });
      });
    }
    return next().then(function () {
      return { shown: shown, capped: query.phrases.length > 0 && at < ranked.length };
    });
  }

  /* --- showing results ---------------------------------------------------------------------- */

  function element(name, className, text) {
    var made = document.createElement(name);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  /* Text with the given ranges in <mark>, into `into`. */
  function markInto(into, text, ranges, from, to) {
    var at = from;
    ranges.forEach(function (range) {
      if (range.end <= from || range.start >= to) return;
      var start = Math.max(range.start, at), end = Math.min(range.end, to);
      if (start > at) into.appendChild(document.createTextNode(text.slice(at, start)));
      into.appendChild(element("mark", "", text.slice(start, end)));
      at = end;
    });
    if (at < to) into.appendChild(document.createTextNode(text.slice(at, to)));
  }

  function snippet(text, marked) {
    var first = marked.hits.length ? marked.hits[0].start : 0;
    var start = Math.max(0, first - Math.floor(SNIPPET / 3));
    var end = Math.min(text.length, start + SNIPPET);
    while (start > 0 && start > first - SNIPPET / 2 && !/\s/.test(text[start - 1])) start--;
    while (end < text.length && end < start + SNIPPET + 30 && !/\s/.test(text[end])) end++;
    var p = element("p", "search-snippet");
    if (start > 0) p.appendChild(document.createTextNode("… "));
    var ranges = marked.hits.map(function (range) {
      return { start: range.start - start, end: range.end - start };
    });
    markInto(p, text.slice(start, end).replace(/[\r\n\t]/g, " "), ranges, 0, end - start); /* a slice: a text may be megabytes */
    if (end < text.length) p.appendChild(document.createTextNode(" …"));
    return p;
  }

  function documentLink(page, queryText) {
    return root + "documents/" + encodeURIComponent(page) + ".html?q=" + encodeURIComponent(queryText);
  }

  function resultItem(item, meta, queryText, query) {
    var li = element("li", "search-result");
    var heading = element("a", "search-title");
    heading.href = documentLink(item.row.page, queryText);
    markInto(heading, item.row.title, matches(item.row.title, query), 0, item.row.title.length);
    if (item.row.language) heading.lang = item.row.language;
    li.appendChild(heading);
    var facts = element("p", "search-facts");
    var time = element("time", "", item.row.date);
    time.dateTime = item.row.machine;
    facts.appendChild(time);
    facts.appendChild(document.createTextNode(" · " + item.row.publisher + " · "));
    var label = Object.prototype.hasOwnProperty.call(meta.stances, item.row.stance)
      ? meta.stances[item.row.stance]
      : item.row.stance;
    facts.appendChild(element("span", "stance stance-" + item.row.stance.replace(/[^A-Za-z0-9_-]/g, ""), label));
    li.appendChild(facts);
    var text = snippet(item.text, item.marked);
    if (item.row.language) text.lang = item.row.language;
    li.appendChild(text);
    return li;
  }

  function plural(count, one, many) {
    return count.toLocaleString("en") + " " + (count === 1 ? one : many);
  }

  /* What the results are; `unfiltered`: all the results, when a filter narrowed them to `ranked`. */
  function summary(ranked, resolved, query, unfiltered) {
    if (!(unfiltered || ranked).length) return "No document holds every word of this search.";
    var filtered = unfiltered ? " with the filters" : "";
    if (query.phrases.length) {
      var said = plural(resolved.shown.length, "document holds", "documents hold") + " the phrase" + filtered;
      return resolved.capped ? said + " among the " + PHRASE_CHECKS + " best matches checked." : said + ".";
    }
    var without = unfiltered ? " (" + unfiltered.length.toLocaleString("en") + " without)" : "";
    return plural(ranked.length, "document matches", "documents match") + filtered + without + ".";
  }

  var sequence = 0;

  /* Give the filter form the results to count, once their pages are read (search number `mine`). */
  function counting(ranked, meta, mine) {
    narrow(ranked, meta).then(function (narrowed) {
      if (mine === sequence) filters.setScope(narrowed.pages, "result");
    }, function () {}); /* the form says itself when its data is missing */
  }

  function search(queryText, target, wanted, order) {
    var mine = ++sequence;
    var query;
    return prepare()
      .then(function (meta) {
        query = parse(queryText);
        if (!query.terms.length) {
          if (target === pageTarget && filters) filters.setScope(null);
          return null;
        }
        return rank(query, meta, order).then(function (ranked) {
          if (target !== pageTarget || !filters) return show(ranked, null);
          if (!filters.active(filters.state())) {
            return show(ranked, null).then(function (found) {
              counting(ranked, meta, mine); /* the form's counts follow the results, which need not wait */
              return found;
            });
          }
          return narrow(ranked, meta).then(function (narrowed) {
            if (mine === sequence) filters.setScope(narrowed.pages, "result");
            return show(narrowed.kept, ranked);
          });
        });
        function show(ranked, unfiltered) {
          return resolve(query, meta, ranked, wanted).then(function (resolved) {
            return { meta: meta, ranked: ranked, resolved: resolved, unfiltered: unfiltered };
          });
        }
      })
      .then(
        function (found) {
          if (mine !== sequence) return;
          target.show(found, query, queryText);
        },
        function (error) {
          if (mine !== sequence) return;
          target.fail(
            "Search could not read its index: " + error.message + ". The site may be incomplete: build it again or copy all of its files."
          );
        }
      )
      .then(function () {
        if (target === pageTarget && filters) filters.release(); /* the form's data loads after the results */
      });
  }

  /* --- the box on every page: a short list under it ----------------------------------------- */

  var panelTarget = {
    show: function (found, query, queryText) {
      panel.textContent = "";
      if (!found) return hidePanel();
      var resolved = found.resolved;
      panel.appendChild(element("p", "search-summary", summary(found.ranked, resolved, query)));
      var ol = element("ol", "search-list");
      resolved.shown.forEach(function (item) {
        ol.appendChild(resultItem(item, found.meta, queryText, query));
      });
      if (resolved.shown.length) panel.appendChild(ol);
      if (found.ranked.length) {
        var all = element("a", "search-all", "All results on the search page");
        all.href = root + "search.html#q=" + encodeURIComponent(queryText);
        panel.appendChild(all);
      }
      showPanel();
    },
    fail: function (message) {
      panel.textContent = "";
      panel.appendChild(element("p", "search-error", message));
      showPanel();
    },
  };

  function showPanel() {
    panel.hidden = false;
  }

  function hidePanel() {
    panel.hidden = true;
    panel.textContent = "";
  }

  /* --- search.html ---------------------------------------------------------------------------- */

  var pageTarget = {
    show: function (found, query, queryText) {
      list.textContent = "";
      if (!found) {
        waiting();
        return;
      }
      status.textContent = summary(found.ranked, found.resolved, query, found.unfiltered);
      found.resolved.shown.forEach(function (item) {
        list.appendChild(resultItem(item, found.meta, queryText, query));
      });
    },
    fail: function (message) {
      list.textContent = "";
      status.textContent = message;
    },
  };

  /* With no query, the filters wait for one: the line says so and links to the index's list of
   * every document they pass (the same keys in its address). */
  function waiting() {
    status.textContent = "";
    var state = filters ? filters.state() : null;
    if (!state || !filters.active(state)) return;
    state.rest = [];
    status.appendChild(document.createTextNode("Type words in the box to search the documents the filters pass, or "));
    var link = element("a", "", "list them all on the index");
    link.href = root + "index.html#" + filters.format(state);
    status.appendChild(link);
    status.appendChild(document.createTextNode("."));
  }

  function order() {
    var checked = document.querySelector("[data-search-order] input:checked");
    return checked ? checked.value : "relevance";
  }

  function fromAddress() {
    var params = new URLSearchParams(location.hash.slice(1));
    var wanted = params.get("order") || "relevance";
    var radio = document.querySelector('[data-search-order] input[value="' + (wanted === "date" || wanted === "newest" ? wanted : "relevance") + '"]');
    if (radio) radio.checked = true;
    box.value = params.get("q") || "";
    if (filters && !box.value.trim()) filters.release(); /* no results to wait for */
    search(box.value, pageTarget, PER_PAGE, order());
  }

  /* The query's keys of the address (q, order); on search.html the filter's keys follow. */
  function queryKeys(queryText) {
    var keys = ["q=" + encodeURIComponent(queryText)];
    if (order() !== "relevance") keys.push("order=" + order());
    return keys;
  }

  function address(queryText) {
    if (!filters) return queryKeys(queryText).join("&");
    var state = filters.parse(location.hash);
    state.rest = queryKeys(queryText);
    return filters.format(state);
  }

  /* --- a document page opened from a result: the matches marked in the text ------------------- */

  function markDocument(queryText) {
    var verbatim = document.querySelector("[data-verbatim]");
    if (!verbatim) return;
    prepare().then(function () {
      var query = parse(queryText);
      if (!query.terms.length) return;
      var hits = matches(verbatim.textContent, query);
      var marks = wrapRanges(verbatim, hits);
      if (marks.length) marks[0].scrollIntoView({ block: "center" });
    }, function () {});
  }

  /* Each range of the element's text wrapped in <mark> (split text nodes: the text is unchanged). */
  function wrapRanges(container, ranges) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var nodes = [], starts = [], at = 0;
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
      starts.push(at);
      at += walker.currentNode.data.length;
    }
    var made = [];
    var n = 0;
    ranges.forEach(function (range) {
      while (n < nodes.length && starts[n] + nodes[n].data.length <= range.start) n++;
      var first = null;
      for (var k = n; k < nodes.length && starts[k] < range.end; k++) {
        var node = nodes[k], offset = starts[k];
        var from = Math.max(range.start, offset) - offset, to = Math.min(range.end, offset + node.data.length) - offset;
        if (to <= from) continue;
        var middle = node.splitText(from);
        var rest = middle.splitText(to - from);
        var mark = element("mark", "search-hit");
        middle.parentNode.insertBefore(mark, middle);
        mark.appendChild(middle);
        nodes[k] = rest;
        starts[k] = offset + to;
        if (!first) made.push((first = mark));
      }
    });
    return made;
  }

  /* --- wiring ------------------------------------------------------------------------------------ */

  function links() {
    var where = list || panel;
    return Array.prototype.slice.call(where.querySelectorAll("a"));
  }

  function onKey(event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      if (at === -1) {
        if (step === 1) all[0].focus();
      } else if (at + step < 0) {
        box.focus();
      } else {
        all[Math.min(at + step, all.length - 1)].focus();
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      box.value = "";
      sequence++;
      if (list) {
        list.textContent = "";
        status.textContent = "";
        search("", pageTarget, PER_PAGE, order()); /* as an emptied box: the filter form counts every document again */
      } else {
        hidePanel();
      }
      box.focus();
    } else if (event.key === "Enter" && event.target === box) {
      event.preventDefault();
      if (list) {
        location.hash = address(box.value);
      } else if (box.value.trim()) {
        location.href = root + "search.html#" + address(box.value);
      }
    }
  }

  function start() {
    if (!box) return;
    Array.prototype.forEach.call(document.querySelectorAll(".search-help"), function (help) {
      help.hidden = true;
    });
    box.removeAttribute("aria-describedby");
    box.addEventListener("input", function () {
      if (list) search(box.value, pageTarget, PER_PAGE, order());
      else if (box.value.trim()) search(box.value, panelTarget, IN_PANEL, "relevance");
      else {
        sequence++;
        hidePanel();
      }
    });
    box.addEventListener("focus", function () {
      prepare().catch(function () {});
    }, { once: true });
    document.addEventListener("keydown", function (event) {
      if (event.target === box || (event.target.closest && event.target.closest(".search-results, [data-search-page]"))) {
        onKey(event);
      }
    });
    if (filters) {
      filters.setRest(function () {
        return queryKeys(box.value);
      });
    }
    if (list) {
      orderControls.hidden = false;
      orderControls.addEventListener("change", function () {
        if (box.value.trim()) location.hash = address(box.value);
      });
      window.addEventListener("hashchange", fromAddress);
      fromAddress();
    }
    var asked = new URLSearchParams(location.search).get("q");
    if (asked) {
      box.value = asked;
      markDocument(asked);
    }
  }

  start();
})();
