/* Exact document texts for scripts that show or search them (search snippets, the compare view).
 *
 * window.ArchiveTexts.get(page) -> Promise<string>: PAGE is a document page's name without
 * `.html` (documents/PAGE.html). The promise resolves to the document's text exactly as decoded
 * from its seed (line endings as they stand: a CRLF stays CRLF), or rejects with an Error whose
 * message a reader can act on when the file is missing or damaged.
 *
 * Each text is a script file, texts/PAGE.js, loaded by inserting <script src> relative to the
 * site root, which every page gives as <body data-root="../"> (empty at the top): no fetch, so it
 * works from disk. The file calls ArchiveTexts.register(page, length, base64 of raw deflate).
 */
(function () {
  "use strict";

  var loaded = Object.create(null); /* page -> Promise<string> */
  var registered = Object.create(null); /* page -> [length, data], set by the text's file */
  var PAGE = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

  function siteRoot() {
    var body = document.body;
    return (body && body.getAttribute("data-root")) || "";
  }

  function inflate(length, data) {
    var binary = atob(data);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    var reader = stream.getReader();
    var parts = [];
    var size = 0;
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) return;
        parts.push(step.value);
        size += step.value.length;
        return pump();
      });
    }
    return pump().then(function () {
      if (size !== length) throw new Error("wrong length");
      var all = new Uint8Array(size);
      var at = 0;
      parts.forEach(function (part) {
        all.set(part, at);
        at += part.length;
      });
      return new TextDecoder("utf-8", { fatal: true }).decode(all);
    });
  }

  function load(page) {
    return new Promise(function (resolve, reject) {
      var file = "texts/" + page + ".js";
      var script = document.createElement("script");
      script.src = siteRoot() + file;
      script.onload = function () {
        script.remove();
        var found = registered[page];
        delete registered[page];
        if (!found) {
          reject(new Error("The text of “" + page + "” could not be read: " + file + " is damaged."));
          return;
        }
        inflate(found[0], found[1]).then(resolve, function () {
          reject(new Error("The text of “" + page + "” could not be read: " + file + " is damaged."));
        });
      };
      script.onerror = function () {
        script.remove();
        reject(new Error("The text of “" + page + "” could not be loaded: " + file + " is missing."));
      };
      document.head.appendChild(script);
    });
  }

  window.ArchiveTexts = {
    /* Called by each texts/PAGE.js as it loads. */
    register: function (page, length, data) {
      if (typeof page === "string" && typeof length === "number" && typeof data === "string") {
        registered[page] = [length, data];
      }
    },
    get: function (page) {
      if (typeof page !== "string" || !PAGE.test(page)) {
        return Promise.reject(new Error("“" + String(page) + "” is not a document page name."));
      }
      if (!loaded[page]) {
        loaded[page] = load(page);
        loaded[page].catch(function () {
          delete loaded[page]; /* a later call may try again */
        });
      }
      return loaded[page];
    },
  };
})();
