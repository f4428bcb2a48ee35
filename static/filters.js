/* filters.js: the filter data and the filters over it, as window.ArchiveFilter.
 *
 * The data is one compact record per document in script files under filters/ (written by the
 * build), loaded by inserting <script src> elements: that works from disk, where fetch does
 * not. filters/shards.js names the shards there are; each shard registers its records.
 *
 * A filter's state lives in the address: #stance=a,b&publisher=slug&from=YYYY[-MM[-DD]]&to=...
 * (&partial=1 to include partial matches). Other keys of the address (such as q) are kept.
 * A page with a [data-filters] element gets the filter form; with a [data-filter-results]
 * element too, the filtered list of documents (the index). search.html narrows its results
 * with it (static/search.js): `setScope` makes the counts those of the search's results, and
 * `setRest` makes a choice in the form keep the query as the box holds it; its form
 * ([data-filters-wait]) loads its data when the search calls `release`, after its first results.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = script ? script.src.replace(/static\/filters\.js(?:[?#].*)?$/, "") : "";
  var KEYS = ["stance", "publisher", "from", "to", "partial"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var QUALIFIERS = {"?": "uncertain", "~": "approximate"};

  var manifestWaiter = null;
  var shardsWaiting = {};
  var loaded = null;
  var records = [];

  /* ---- loading ---------------------------------------------------------------------- */

  function insertScript(path, onError) {
    var element = document.createElement("script");
    element.src = ROOT + path;
    element.async = false;
    element.addEventListener("error", function () {
      onError(new Error("The filter data could not be loaded: " + path + " is missing or damaged. " +
        "Build the site again, or use the lists, which are complete."));
    });
    document.head.appendChild(element);
  }

  function load() {
    if (loaded) return loaded;
    loaded = new Promise(function (resolve, reject) {
      manifestWaiter = function (manifest) {
        var waiting = manifest.shards.length;
        var done = function () {
          records.sort(chronological);
          resolve({records: records, stances: manifest.stances, publishers: publishers(records)});
        };
        if (!waiting) return done();
        manifest.shards.forEach(function (name) {
          shardsWaiting[name] = function () { if (--waiting === 0) done(); };
          insertScript("filters/" + name + ".js", reject);
        });
      };
      insertScript("filters/shards.js", reject);
    });
    return loaded;
  }

  function manifest(data) {
    if (manifestWaiter) manifestWaiter(data);
  }

  function shard(name, rows) {
    rows.forEach(function (row) { records.push(makeRecord(row)); });
    var waiter = shardsWaiting[name];
    delete shardsWaiting[name];
    if (waiter) waiter();
  }

  function makeRecord(row) {
    var range = dateRange(row[5]) || ["", ""];
    return {
      page: row[0], title: row[1], publisher: row[2], publisherLabel: row[3], stance: row[4],
      date: row[5], sort: row[6], language: row[7] || "", start: range[0], end: range[1],
    };
  }

  function chronological(a, b) {
    return compare(a.sort, b.sort) || compare(a.title.toLowerCase(), b.title.toLowerCase()) ||
      compare(a.title, b.title) || compare(a.page, b.page);
  }

  function compare(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function publishers(list) {
    var bySlug = {};
    list.forEach(function (r) { bySlug[r.publisher] = r.publisherLabel; });
    return Object.keys(bySlug).map(function (slug) { return {slug: slug, label: bySlug[slug]}; })
      .sort(function (a, b) {
        return compare(a.label.toLowerCase(), b.label.toLowerCase()) || compare(a.slug, b.slug);
      });
  }

  /* ---- dates ------------------------------------------------------------------------- */

  var DATE = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~]?)$/;

  function pad(n, width) { return String(n).padStart(width, "0"); }

  function lastDay(year, month) { return new Date(Date.UTC(year, month, 0)).getUTCDate(); }

  /* The first and last day (ISO) a date as written can be; null when it is not a date. */
  function dateRange(text) {
    var m = DATE.exec(String(text || "").trim());
    if (!m) return null;
    var year = +m[1], month = m[2] ? +m[2] : 0, day = m[3] ? +m[3] : 0;
    if (!year || month > 12 || (m[2] && !month)) return null;
    if (day && (day > lastDay(year, month))) return null;
    if (m[3] && !day) return null;
    var y = pad(year, 4);
    if (day) return [y + "-" + pad(month, 2) + "-" + pad(day, 2), y + "-" + pad(month, 2) + "-" + pad(day, 2)];
    if (month) return [y + "-" + pad(month, 2) + "-01", y + "-" + pad(month, 2) + "-" + pad(lastDay(year, month), 2)];
    return [y + "-01-01", y + "-12-31"];
  }

  /* A date as people read it: "1 September 2022", "September 2022 (uncertain)". */
  function dateLabel(text) {
    var m = DATE.exec(text);
    if (!m) return text;
    var parts = [];
    if (m[3]) parts.push(String(+m[3]));
    if (m[2]) parts.push(MONTHS[+m[2] - 1]);
    parts.push(m[1]);
    return parts.join(" ") + (m[4] ? " (" + QUALIFIERS[m[4]] + ")" : "");
  }

  /* ---- state and matching ------------------------------------------------------------- */

  function emptyState() {
    return {stance: [], publisher: [], from: "", to: "", partial: false, rest: []};
  }

  /* The filter state in an address's fragment (with or without "#"); other keys kept in rest. */
  function parse(hash) {
    var state = emptyState();
    String(hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var at = part.indexOf("=");
      var key = decode(at < 0 ? part : part.slice(0, at));
      var value = at < 0 ? "" : part.slice(at + 1);
      if (key === "stance" || key === "publisher") {
        value.split(",").map(decode).forEach(function (v) {
          if (v && state[key].indexOf(v) < 0) state[key].push(v);
        });
      } else if (key === "from" || key === "to") {
        state[key] = decode(value);
      } else if (key === "partial") {
        state.partial = value === "1";
      } else {
        state.rest.push(part);
      }
    });
    return state;
  }

  function decode(text) {
    try { return decodeURIComponent(text.replace(/\+/g, " ")); } catch (e) { return text; }
  }

  /* A value as the address holds it: a comma in it is escaped, since commas separate values. */
  function encode(text) { return encodeURIComponent(text); }

  /* The fragment (without "#") for a state: the other keys first, then the filter's. */
  function format(state) {
    var parts = (state.rest || []).slice();
    if (state.stance.length) parts.push("stance=" + state.stance.map(encode).join(","));
    if (state.publisher.length) parts.push("publisher=" + state.publisher.map(encode).join(","));
    if (state.from) parts.push("from=" + encode(state.from));
    if (state.to) parts.push("to=" + encode(state.to));
    if (state.partial) parts.push("partial=1");
    return parts.join("&");
  }

  function active(state) {
    return !!(state.stance.length || state.publisher.length || state.from || state.to);
  }

  /* How a document's date falls in the state's range: "in" (wholly inside), "partial" (the
   * range covers only part of what the date can be), or "" (outside, or a bad range). */
  function dateMatch(record, state) {
    if (!state.from && !state.to) return "in";
    var range = bounds(state);
    if (!range || !record.start) return "";
    var from = range[0], to = range[1];
    if (record.start >= from[0] && record.end <= to[1]) return "in";
    if (record.end >= from[0] && record.start <= to[1]) return "partial";
    return "";
  }

  /* The state's date range as [first day's range, last day's range], read once per state;
   * null when either end is not a date. */
  function bounds(state) {
    var key = state.from + "/" + state.to;
    if (state.boundsKey !== key) {
      var from = state.from ? dateRange(state.from) : ["0000-00-00", ""];
      var to = state.to ? dateRange(state.to) : ["", "9999-99-99"];
      state.boundsKey = key;
      state.bounds = from && to ? [from, to] : null;
    }
    return state.bounds;
  }

  /* Whether a record passes the state: "in", "partial" (only when partial matches are
   * included) or "". `skip` leaves one facet out (for that facet's counts). */
  function match(record, state, skip) {
    if (skip !== "stance" && state.stance.length && state.stance.indexOf(record.stance) < 0) return "";
    if (skip !== "publisher" && state.publisher.length && state.publisher.indexOf(record.publisher) < 0) return "";
    var when = dateMatch(record, state);
    return when === "partial" && !state.partial ? "" : when;
  }

  function filter(list, state) {
    return list.filter(function (r) { return match(r, state); });
  }

  /* The counts the form shows: how many documents match, and how many each stance and each
   * publisher would match given the rest of the state. */
  function counts(list, state) {
    var result = {total: 0, stance: {}, publisher: {}};
    list.forEach(function (r) {
      if (match(r, state)) result.total += 1;
      if (match(r, state, "stance")) result.stance[r.stance] = (result.stance[r.stance] || 0) + 1;
      if (match(r, state, "publisher")) result.publisher[r.publisher] = (result.publisher[r.publisher] || 0) + 1;
    });
    return result;
  }

  /* ---- the form ------------------------------------------------------------------------ */

  function el(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) { element.setAttribute(k, attributes[k]); });
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function plural(n, word) { return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s"); }

  function documentHref(page) { return ROOT + "documents/" + encodeURIComponent(page) + ".html"; }

  /* A document as the lists show it (built as text: nothing in a record becomes markup). */
  function row(record, stanceLabels, partial) {
    var item = el("li", {"class": "doc-item"});
    var title = el("a", {"class": "doc-title", href: documentHref(record.page)}, record.title);
    if (record.language) title.setAttribute("lang", record.language);
    var meta = el("span", {"class": "doc-meta"});
    meta.appendChild(el("time", {datetime: record.date.replace(/[?~]$/, "")}, dateLabel(record.date)));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("a", {href: ROOT + "publishers/" + encodeURIComponent(record.publisher) + ".html"},
      record.publisherLabel));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("a", {"class": "stance stance-" + record.stance,
      href: ROOT + "stances/" + encodeURIComponent(record.stance) + ".html"},
      stanceLabels[record.stance] || record.stance));
    if (partial) meta.appendChild(el("span", {"class": "partial-match"}, " · partly in the date range"));
    item.appendChild(title);
    item.appendChild(document.createTextNode("\n  "));
    item.appendChild(meta);
    return item;
  }

  var listeners = [];
  var scope = null; /* null, or {pages: page -> true, noun: "result"}: what the counts are of */
  var redraw = null;
  var restOf = null; /* null, or a function giving the address's other keys as the page has them now */
  var held = null; /* a form's start, while it waits for release() */

  /* Count and list only these pages (the search's results), or all again with null; `noun`
   * names them in the status line ("12 results of 40 match"). */
  function setScope(pages, noun) {
    scope = pages ? {pages: {}, noun: noun || "result"} : null;
    (pages || []).forEach(function (page) { scope.pages[page] = true; });
    if (redraw) redraw();
  }

  /* Take the address's other keys (such as q) from fn() when a choice in the form writes the
   * address, rather than from the address: on search.html, the query typed but not yet entered. */
  function setRest(fn) { restOf = fn; }

  /* The state a choice in the form starts from: the address's, with the page's other keys. */
  function editable() {
    var state = currentState();
    if (restOf) state.rest = restOf();
    return state;
  }

  function inScope(list) {
    return scope ? list.filter(function (r) { return scope.pages[r.page]; }) : list;
  }

  /* Call fn(state) whenever the filter state in the address changes (and once loaded). */
  function onChange(fn) { listeners.push(fn); }

  function currentState() { return parse(location.hash); }

  /* Put a state in the address: a new history entry, so Back returns to the last one. */
  function go(state) {
    var hash = format(state);
    if (hash !== location.hash.replace(/^#/, "")) location.hash = hash;
  }

  /* The form inside `container` ([data-filters]); results into [data-filter-results] if any. */
  function mount(container) {
    var form = container.querySelector("form");
    var status = container.querySelector("[data-filter-status]");
    var stanceBox = container.querySelector("[data-filter-stances]");
    var pubInput = container.querySelector("[data-filter-publisher]");
    var pubList = container.querySelector("datalist");
    var pubHint = container.querySelector("[data-filter-publisher-hint]");
    var chosen = container.querySelector("[data-filter-chosen]");
    var fromInput = container.querySelector("[data-filter-from]");
    var toInput = container.querySelector("[data-filter-to]");
    var dateHint = container.querySelector("[data-filter-date-hint]");
    var partial = container.querySelector("[data-filter-partial]");
    var results = document.querySelector("[data-filter-results]");
    var needsJs = document.querySelectorAll("[data-needs-js]");
    var data = null;
    var labels = {};
    var byLabel = {};

    form.addEventListener("submit", function (event) { event.preventDefault(); choosePublisher(true); });
    Array.prototype.forEach.call(needsJs, function (node) { node.hidden = true; });
    status.textContent = "Loading the filter data…";
    container.hidden = false;

    function choosePublisher(explicit) {
      var value = pubInput.value, typed = value.trim();
      if (!typed || !data) return;
      var slug = byLabel[value] || byLabel[typed] || byLabel[typed.toLowerCase()] ||
        (labels[typed] !== undefined ? typed : "");
      if (!slug) {
        if (explicit) pubHint.textContent = "No publisher is named “" + typed + "”: choose one from the list.";
        return;
      }
      var state = editable();
      if (state.publisher.indexOf(slug) < 0) state.publisher.push(slug);
      pubInput.value = "";
      pubHint.textContent = "";
      go(state);
    }

    pubInput.addEventListener("change", function () { choosePublisher(false); });
    form.addEventListener("change", function (event) {
      if (!data || event.target === pubInput) return;
      var state = editable();
      if (event.target.name === "stance") {
        state.stance = Array.prototype.filter.call(stanceBox.querySelectorAll("input"), function (i) {
          return i.checked;
        }).map(function (i) { return i.value; });
      } else if (event.target === fromInput || event.target === toInput) {
        var bad = [fromInput, toInput].filter(function (i) { return i.value.trim() && !dateRange(i.value); });
        [fromInput, toInput].forEach(function (i) { i.setAttribute("aria-invalid", String(bad.indexOf(i) >= 0)); });
        dateHint.textContent = bad.length ? "Not a date: “" + bad[0].value.trim() +
          "”. Write YYYY, YYYY-MM or YYYY-MM-DD." : "";
        if (bad.length) return;
        state.from = fromInput.value.trim();
        state.to = toInput.value.trim();
      } else if (event.target === partial) {
        state.partial = partial.checked;
      }
      go(state);
    });
    container.querySelector("[data-filter-clear]").addEventListener("click", function () {
      var state = emptyState();
      state.rest = editable().rest;
      go(state);
    });

    function render() {
      var state = currentState();
      var records = inScope(data.records);
      var noun = scope ? scope.noun : "document";
      var c = counts(records, state);
      stanceBox.textContent = "";
      data.stances.forEach(function (term) {
        var id = "filter-stance-" + term.key;
        var box = el("input", {type: "checkbox", name: "stance", value: term.key, id: id});
        box.checked = state.stance.indexOf(term.key) >= 0;
        var label = el("label", {"for": id}, term.label + " (" + (c.stance[term.key] || 0) + ")");
        var line = el("div", {"class": "filter-choice"});
        line.appendChild(box);
        line.appendChild(document.createTextNode(" "));
        line.appendChild(label);
        stanceBox.appendChild(line);
      });
      pubList.textContent = "";
      data.publishers.forEach(function (p) {
        if (state.publisher.indexOf(p.slug) >= 0) return;
        pubList.appendChild(el("option", {value: p.label}, plural(c.publisher[p.slug] || 0, "document")));
      });
      chosen.textContent = "";
      state.publisher.forEach(function (slug) {
        var name = labels[slug] !== undefined ? labels[slug] : slug + " (not in this archive)";
        var item = el("li", {}, name + " (" + (c.publisher[slug] || 0) + ") ");
        var remove = el("button", {type: "button", "class": "filter-remove", "aria-label": "Remove publisher " + name},
          "Remove");
        remove.addEventListener("click", function () {
          var next = editable();
          next.publisher = next.publisher.filter(function (s) { return s !== slug; });
          go(next);
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
      chosen.hidden = !state.publisher.length;
      if (document.activeElement !== fromInput) fromInput.value = state.from;
      if (document.activeElement !== toInput) toInput.value = state.to;
      partial.checked = state.partial;
      var badRange = (state.from && !dateRange(state.from)) || (state.to && !dateRange(state.to));
      status.textContent = badRange ? "The date range in the address is not a date: write YYYY, YYYY-MM or YYYY-MM-DD." :
        scope && !records.length ? "No " + noun + "s to narrow." :
        active(state) ? plural(c.total, noun) + " of " + records.length.toLocaleString("en") + " match." :
        plural(records.length, noun) + (scope ? "" : " in the archive") +
        "; choose a stance, a publisher or dates to narrow them.";
      if (results) renderResults(state, c);
      listeners.forEach(function (fn) { fn(state); });
    }

    function renderResults(state, c) {
      var on = active(state);
      results.hidden = !on;
      var sibling = results.nextElementSibling;
      for (; sibling; sibling = sibling.nextElementSibling) sibling.hidden = on;
      var list = results.querySelector("ol");
      list.textContent = "";
      if (!on) return;
      var stanceLabels = {};
      data.stances.forEach(function (t) { stanceLabels[t.key] = t.label; });
      var fragment = document.createDocumentFragment();
      inScope(data.records).forEach(function (r) {
        var how = match(r, state);
        if (how) {
          fragment.appendChild(row(r, stanceLabels, how === "partial"));
          fragment.appendChild(document.createTextNode("\n"));
        }
      });
      list.appendChild(fragment);
      results.querySelector("[data-filter-heading]").textContent = plural(c.total, "matching document");
    }

    function begin() {
      load().then(shown, function (error) {
        status.textContent = error.message;
      });
    }
    if (container.hasAttribute("data-filters-wait")) held = begin;
    else begin();

    function shown(loadedData) {
      data = loadedData;
      data.publishers.forEach(function (p) {
        labels[p.slug] = p.label;
        byLabel[p.label] = p.slug;
        if (!byLabel[p.label.toLowerCase()]) byLabel[p.label.toLowerCase()] = p.slug;
      });
      window.addEventListener("hashchange", render);
      redraw = render;
      render();
    }
  }

  /* Load the data of a form that waits ([data-filters-wait]: on search.html, the search's first
   * results come first, since the filter data is the larger load), and fill the form in. */
  function release() {
    var begin = held;
    held = null;
    if (begin) begin();
  }

  window.ArchiveFilter = {
    root: ROOT,
    load: load,
    manifest: manifest,
    shard: shard,
    parse: parse,
    format: format,
    active: active,
    match: match,
    filter: filter,
    counts: counts,
    dateRange: dateRange,
    dateLabel: dateLabel,
    state: currentState,
    go: go,
    onChange: onChange,
    setScope: setScope,
    setRest: setRest,
    release: release,
    mount: mount,
    documentHref: documentHref,
  };

  function start() {
    var container = document.querySelector("[data-filters]");
    if (container) mount(container);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
