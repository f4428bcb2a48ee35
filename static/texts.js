/* Exact document texts for scripts that show or search them (search snippets, the compare view).
 *
 * window.ArchiveTexts.get(page) -> Promise<string>: PAGE is a document page's name without
 * `.html` (documents/PAGE.html). The promise resolves to the document's text exactly as decoded
 * from its seed (line endings as they stand: a CRLF stays CRLF), or rejects with an Error whose
 * message a reader can act on when the file is missing or damaged.
 *
 * Each text is a script file, texts/PAGE.js, loaded by inserting <script src> relative to the
 * site root, which every page gives as <body data-root="../"> (empty at the top): no fetch, so it
 * works from disk. The file (UTF-16, which its byte order mark tells the browser) calls
 * ArchiveTexts.register(page, length, data): data is raw deflate packed 15 bits a character, of
 * the text's UTF-8 or of the text coded through a fixed list of English words, which
 * static/texts-words.js gives (ArchiveTexts.words, loaded the first time a text needs it). See
 * archive/outputs/texts.py. `length` (the UTF-8's bytes) is checked, so a damaged file is
 * refused, not shown.
 */
(function () {
  "use strict";

  var loaded = Object.create(null); /* page -> Promise<string> */
  var registered = Object.create(null); /* page -> [length, data], set by the text's file */
  var PAGE = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
  var WORDS_FILE = "static/texts-words.js";
  var UNIT = 0x3000;
  var PLAIN = 0;
  var WORDED = 1;
  var ESCAPE = 0x00;
  var CAPITAL = 0x01;
  /* What each byte of a worded text is (see unword). */
  var LITERAL = 0;
  var ESCAPED = 1;
  var CAPITALISE = 2;
  var SINGLE = 3;
  var TWO = 4;
  var NONE = 5;
  var UTF8 = 10; /* UTF8 + n: a UTF-8 lead byte and n continuation bytes */
  var KIND = new Uint8Array(256);
  var LEAD = new Uint8Array(256); /* byte -> its place among the lead bytes of two-byte words */
  for (var byte = 0x80; byte < 0xc0; byte++) KIND[byte] = SINGLE;
  for (byte = 0xc2; byte < 0xf5; byte++) KIND[byte] = UTF8 + (byte >= 0xf0 ? 3 : byte >= 0xe0 ? 2 : 1);
  [].concat(range(0x02, 0x09), [0x0b, 0x0c], range(0x0e, 0x20), [0x7f, 0xc0, 0xc1], range(0xf5, 0xfe)).forEach(
    function (lead, place) {
      KIND[lead] = TWO;
      LEAD[lead] = place;
    }
  );
  KIND[ESCAPE] = ESCAPED;
  KIND[CAPITAL] = CAPITALISE;
  KIND[0xfe] = KIND[0xff] = NONE; /* never written */
  var wordList = null; /* set by static/texts-words.js */
  var wordsLoaded = null; /* Promise<string[]> */

  function range(from, to) {
    var out = [];
    for (var i = from; i < to; i++) out.push(i);
    return out;
  }

  function siteRoot() {
    var body = document.body;
    return (body && body.getAttribute("data-root")) || "";
  }

  /* data: 15 bits a character from U+3000 (see archive/outputs/texts.py, pack). The first
   * character says whether the last byte is padding; then a character for each pair of bytes
   * (the first byte, and the second's low seven bits); then the pairs' high bits, 15 a character. */
  function unpack(data) {
    var rest = data.length - 1;
    var pairs = Math.floor((rest * 15) / 16);
    while (pairs + Math.ceil(pairs / 15) < rest) pairs++;
    var odd = data.charCodeAt(0) - UNIT;
    if (rest < 0 || pairs + Math.ceil(pairs / 15) !== rest || (odd !== 0 && odd !== 1)) throw new Error("bad packing");
    var bytes = new Uint8Array(2 * pairs);
    var seen = 0; /* every value or'ed: a character outside the range shows in its high bits */
    for (var group = 0, at = 1, to = 0; at <= pairs; group++) {
      var high = data.charCodeAt(1 + pairs + group) - UNIT;
      seen |= high;
      for (var bit = 0; bit < 15 && at <= pairs; bit++, at++) {
        var unit = data.charCodeAt(at) - UNIT;
        seen |= unit;
        bytes[to++] = unit & 0xff;
        bytes[to++] = (unit >> 8) | (((high >> bit) & 1) << 7);
      }
    }
    if (seen >>> 15) throw new Error("bad packing");
    return bytes.subarray(0, bytes.length - odd);
  }

  function inflate(bytes) {
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
      var all = new Uint8Array(size);
      var at = 0;
      parts.forEach(function (part) {
        all.set(part, at);
        at += part.length;
      });
      return all;
    });
  }

  /* A text coded through the words (archive/outputs/texts.py, worded) back to its UTF-8:
   * the places of the words it uses, then bytes where a word is one byte (0x80-0xBF where no
   * UTF-8 lead byte announced it) or a lead byte and one more, CAPITAL before a capitalised
   * word, ESCAPE before a byte that stands for itself, and a space between two words in a row. */
  function unword(coded, words, length) {
    var at = 0;
    var end = coded.length;
    function number() {
      var value = 0;
      for (var shift = 0; shift < 35; shift += 7) {
        if (at >= end) throw new Error("cut short");
        var byte = coded[at++];
        value += (byte & 0x7f) * Math.pow(2, shift);
        if (byte < 0x80) return value;
      }
      throw new Error("bad number");
    }
    var used = [];
    var place = -1;
    for (var count = number(), n = 0; n < count; n++) {
      place += number() + 1;
      if (place >= words.length) throw new Error("no such word");
      used.push(wordBytes(words, place));
    }
    /* Writes past the end are dropped by the typed array; the count tells. */
    var out = new Uint8Array(length);
    var size = 0;
    var wordBefore = false;
    var capital = false;
    while (at < end) {
      var byte = coded[at++];
      var kind = KIND[byte];
      if (kind === LITERAL) {
        out[size++] = byte;
        wordBefore = capital = false;
        continue;
      }
      var rank;
      if (kind === SINGLE) {
        rank = byte - 0x80;
      } else if (kind === TWO) {
        var low = coded[at++];
        if (!(low >= 0x80 && low < 0xc0)) throw new Error("bad word");
        rank = 64 + LEAD[byte] * 64 + low - 0x80;
      } else if (kind === CAPITALISE) {
        capital = true;
        continue;
      } else if (kind === ESCAPED) {
        if (at >= end) throw new Error("cut short");
        out[size++] = coded[at++];
        wordBefore = capital = false;
        continue;
      } else if (kind >= UTF8) {
        /* a UTF-8 lead byte: it and the continuation bytes it announces */
        out[size++] = byte;
        for (var k = kind - UTF8; k > 0; k--) out[size++] = coded[at++];
        wordBefore = capital = false;
        continue;
      } else {
        throw new Error("a byte without a meaning");
      }
      if (rank >= used.length) throw new Error("no such word");
      var word = used[rank];
      if (wordBefore) out[size++] = 0x20;
      out[size++] = capital ? word[0] - 0x20 : word[0];
      for (var c = 1; c < word.length; c++) out[size++] = word[c];
      wordBefore = true;
      capital = false;
    }
    if (size !== length) throw new Error("wrong length");
    return out;
  }

  function wordBytes(words, place) {
    var word = words[place];
    var bytes = new Uint8Array(word.length);
    for (var i = 0; i < word.length; i++) bytes[i] = word.charCodeAt(i);
    return bytes;
  }

  function decode(length, data) {
    return Promise.resolve(data)
      .then(unpack)
      .then(inflate)
      .then(function (inflated) {
        var form = inflated[0];
        var body = inflated.subarray(1);
        if (form === PLAIN) {
          if (body.length !== length) throw new Error("wrong length");
          return body;
        }
        if (form !== WORDED) throw new Error("unknown form");
        return loadWords().then(function (words) {
          return unword(body, words, length);
        });
      })
      .then(function (bytes) {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      });
  }

  function loadWords() {
    if (!wordsLoaded) {
      wordsLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = siteRoot() + WORDS_FILE;
        script.onload = function () {
          script.remove();
          if (wordList) resolve(wordList);
          else reject(new Error(WORDS_FILE + " is damaged"));
        };
        script.onerror = function () {
          script.remove();
          reject(new Error(WORDS_FILE + " is missing"));
        };
        document.head.appendChild(script);
      });
      wordsLoaded.catch(function () {
        wordsLoaded = null; /* a later text may try again */
      });
    }
    return wordsLoaded;
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
        decode(found[0], found[1]).then(resolve, function (error) {
          if (/^static\//.test(error.message)) {
            reject(new Error("The text of “" + page + "” could not be read: " + error.message + "."));
            return;
          }
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
    /* The string of a packed file's data (a text's, or the search index's JSON): resolves to it,
     * or rejects if the data is damaged. */
    decode: function (length, data) {
      return decode(length, data);
    },
    /* Called by static/texts-words.js as it loads. */
    words: function (list) {
      if (typeof list === "string") wordList = list.split(" ");
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
