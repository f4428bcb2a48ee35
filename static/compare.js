/* compare.js: two documents side by side (compare.html#a=PAGE&b=PAGE), and the "Compare with…"
 * control of every document page.
 *
 * Each column's facts come from the filter data (window.ArchiveFilter), its text from the
 * exact texts (window.ArchiveTexts.get(page)), put in as text: the column's [data-verbatim]
 * text content is exactly the seed's. Choosing a document or swapping changes the address,
 * so Back returns to the pair before.
 *
 * Shared passages: window.ArchiveCompare.hooks is a list of functions, each called as
 * hook({a: column, b: column}) once both texts are shown, where a column is
 * {page, record, text, element} (element: its [data-verbatim]); a later feature marks the
 * passages the two share there, around ranges of the text, never changing it.
 */
(function () {
  "use strict";

  var Filter = window.ArchiveFilter;
  var hooks = [];
  window.ArchiveCompare = {hooks: hooks, parse: parse, format: format};

  function parse(hash) {
    var pair = {a: "", b: ""};
    String(hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      var key = at < 0 ? part : part.slice(0, at);
      if (key === "a" || key === "b") {
        try { pair[key] = decodeURIComponent(part.slice(at + 1)); } catch (e) { pair[key] = part.slice(at + 1); }
      }
    });
    return pair;
  }

  function format(pair) {
    var parts = [];
    if (pair.a) parts.push("a=" + encodeURIComponent(pair.a));
    if (pair.b) parts.push("b=" + encodeURIComponent(pair.b));
    return parts.join("&");
  }

  function el(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) { element.setAttribute(k, attributes[k]); });
    if (text !== undefined) element.textContent = text;
    return element;
  }

  /* How a document is offered in a list of titles: its title, publisher and date (unique enough
   * to tell documents of one title apart; the page name is added when it is not). */
  function choices(records) {
    var byValue = {};
    var list = records.map(function (r) {
      var value = r.title + " — " + r.publisherLabel + ", " + Filter.dateLabel(r.date);
      if (byValue[value]) value += " [" + r.page + "]";
      byValue[value] = r.page;
      return {value: value, record: r};
    });
    return {list: list, page: function (typed) { return byValue[typed] || byValue[typed.trim()] || ""; }};
  }

  function fillDatalist(datalist, offered, except) {
    datalist.textContent = "";
    var fragment = document.createDocumentFragment();
    offered.list.forEach(function (c) {
      if (c.record.page !== except) fragment.appendChild(el("option", {value: c.value}));
    });
    datalist.appendChild(fragment);
  }

  /* ---- compare.html ---------------------------------------------------------------------- */

  function comparePage(container) {
    var status = document.querySelector("[data-compare-status]");
    var datalist = document.getElementById("compare-titles");
    var columns = {};
    var data = null;
    var offered = null;
    var shown = 0;
    var pageTitle = document.title;
    Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js]"), function (n) { n.hidden = true; });
    document.querySelector("[data-compare-bar]").hidden = false;
    container.hidden = false;
    status.textContent = "Loading…";

    ["a", "b"].forEach(function (side) {
      var column = container.querySelector('[data-compare-column="' + side + '"]');
      var form = column.querySelector("form");
      var input = column.querySelector("[data-compare-choose]");
      var hint = column.querySelector("[data-compare-hint]");
      columns[side] = column;
      function choose(explicit) {
        if (!offered) return;
        var page = offered.page(input.value);
        if (!page) {
          if (explicit) hint.textContent = "No document has that title here: type part of a title and choose it from the list.";
          return;
        }
        var pair = parse(location.hash);
        pair[side] = page;
        input.value = "";
        hint.textContent = "Type part of a title, then choose it.";
        location.hash = format(pair);
      }
      form.addEventListener("submit", function (event) { event.preventDefault(); choose(true); });
      input.addEventListener("change", function () { choose(false); });
    });
    document.querySelector("[data-compare-swap]").addEventListener("click", function () {
      var pair = parse(location.hash);
      location.hash = format({a: pair.b, b: pair.a});
    });

    function renderColumn(side, page, turn) {
      var column = columns[side];
      var title = column.querySelector("[data-compare-title]");
      var facts = column.querySelector("[data-compare-facts]");
      var text = column.querySelector("[data-verbatim]");
      var record = data.records.filter(function (r) { return r.page === page; })[0];
      facts.textContent = "";
      text.textContent = "";
      text.removeAttribute("lang");
      title.removeAttribute("lang");
      if (!page) {
        title.textContent = "No document chosen";
        return Promise.resolve(null);
      }
      if (!record) {
        title.textContent = "No document named “" + page + "” in this archive";
        return Promise.resolve(null);
      }
      title.textContent = "";
      title.appendChild(el("a", {href: Filter.documentHref(page)}, record.title));
      if (record.language) {
        title.setAttribute("lang", record.language);
        text.setAttribute("lang", record.language);
      }
      var stanceLabel = record.stance;
      data.stances.forEach(function (t) { if (t.key === record.stance) stanceLabel = t.label; });
      [["Publisher", record.publisherLabel], ["Date", Filter.dateLabel(record.date)], ["Stance", stanceLabel]]
        .forEach(function (fact) {
          facts.appendChild(el("dt", {}, fact[0]));
          facts.appendChild(el("dd", {}, fact[1]));
        });
      text.textContent = "Loading the text…";
      if (!window.ArchiveTexts) {
        text.textContent = "";
        return Promise.reject(new Error("The texts could not be loaded: static/texts.js is missing."));
      }
      return window.ArchiveTexts.get(page).then(function (body) {
        if (turn !== shown) return null;
        text.textContent = body;
        return {page: page, record: record, text: body, element: text};
      }, function (error) {
        if (turn === shown) text.textContent = "";
        throw error;
      });
    }

    function render() {
      var pair = parse(location.hash);
      var turn = ++shown;
      status.textContent = "Loading…";
      fillDatalist(datalist, offered, "");
      Promise.all([renderColumn("a", pair.a, turn), renderColumn("b", pair.b, turn)]).then(function (both) {
        if (turn !== shown) return;
        var titles = both.filter(Boolean).map(function (c) { return c.record.title; });
        document.title = (titles.length ? titles.join(" · ") + " · " : "") + pageTitle;
        status.textContent = !pair.a && !pair.b ? "Choose two documents to read them side by side." :
          !pair.a || !pair.b ? "Choose a second document to read beside the first." :
          "Showing two documents side by side.";
        if (both[0] && both[1]) hooks.forEach(function (hook) { hook({a: both[0], b: both[1]}); });
      }, function (error) {
        if (turn === shown) status.textContent = error.message;
      });
    }

    Filter.load().then(function (loaded) {
      data = loaded;
      offered = choices(data.records);
      window.addEventListener("hashchange", render);
      render();
    }, function (error) {
      status.textContent = error.message;
    });
  }

  /* ---- "Compare with…" on a document page ------------------------------------------------ */

  function compareWith(form) {
    var input = form.querySelector("input");
    var datalist = form.querySelector("datalist");
    var hint = form.querySelector("[data-compare-hint]");
    var here = decodeURIComponent(location.pathname.replace(/^.*\//, "").replace(/\.html$/, ""));
    var offered = null;
    form.hidden = false;

    function ready() {
      return Filter.load().then(function (data) {
        if (!offered) {
          offered = choices(data.records);
          fillDatalist(datalist, offered, here);
        }
        return offered;
      }, function (error) {
        hint.textContent = error.message;
        throw error;
      });
    }

    function go(explicit) {
      ready().then(function () {
        var page = offered.page(input.value);
        if (page) {
          location.href = Filter.root + "compare.html#" + format({a: here, b: page});
        } else if (explicit) {
          hint.textContent = "No document has that title here: type part of a title and choose it from the list.";
        }
      }, function () {});
    }

    input.addEventListener("focus", function () { ready().catch(function () {}); });
    input.addEventListener("change", function () { go(false); });
    form.addEventListener("submit", function (event) { event.preventDefault(); go(true); });
  }

  function start() {
    var container = document.querySelector("[data-compare]");
    if (container) comparePage(container);
    var form = document.querySelector("[data-compare-with]");
    if (form) compareWith(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
