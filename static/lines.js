/* Line addresses of a document's text (see README, "Addresses").

   `#L42` is line 42 of the text, `#L42-L47` lines 42 to 47: each line is a
   <span id="LN"> inside the <pre data-verbatim>, so that `#L42` goes to its line even
   without script. This script marks the line or range named on arrival (and when the
   address changes), and a click on a line's number marks that line, or with shift the
   lines from the last one marked, puts the address in the address bar and copies it.
   Nothing here changes the text: only classes on the line elements. */
(function () {
  "use strict";
  var text = document.querySelector("pre[data-verbatim]");
  var status = document.querySelector("[data-line-status]");
  var help = document.querySelector("[data-line-help]");
  if (!text) {
    return;
  }
  var marked = [];
  var first = 0;
  text.classList.add("lines-ready");
  if (help) {
    help.hidden = false;
  }

  function parse(hash) {
    var found = /^#L([1-9][0-9]*)(?:-L([1-9][0-9]*))?$/.exec(hash);
    if (!found) {
      return null;
    }
    var a = Number(found[1]);
    var b = found[2] ? Number(found[2]) : a;
    return a <= b ? [a, b] : [b, a];
  }

  function line(n) {
    var element = document.getElementById("L" + n);
    return element && element.parentNode === text ? element : null;
  }

  function mark(range, scroll) {
    marked.forEach(function (element) {
      element.classList.remove("line-marked");
    });
    marked = [];
    if (!range) {
      return;
    }
    for (var n = range[0]; n <= range[1]; n += 1) {
      var element = line(n);
      if (!element) {
        break;
      }
      element.classList.add("line-marked");
      marked.push(element);
    }
    if (scroll && marked.length) {
      marked[0].scrollIntoView({ block: "center" });
    }
  }

  var said = 0;
  function say(message) {
    if (status) {
      status.textContent = message;
      clearTimeout(said);
      said = setTimeout(function () {
        status.textContent = "";
      }, 8000);
    }
  }

  function copy(address, what) {
    var done = function () {
      say("Link to " + what + " copied: " + address);
    };
    var failed = function () {
      say("Link to " + what + ": " + address);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(address).then(done, failed);
    } else {
      failed();
    }
  }

  text.addEventListener("click", function (event) {
    var element = event.target;
    if (!element || element.parentNode !== text || !/^L[0-9]+$/.test(element.id)) {
      return;
    }
    var gutter = text.getBoundingClientRect().left + parseFloat(getComputedStyle(text).paddingLeft);
    if (event.clientX >= gutter) {
      return; // a click in the text itself: selecting text is left alone
    }
    var n = Number(element.id.slice(1));
    var range = event.shiftKey && first ? [Math.min(first, n), Math.max(first, n)] : [n, n];
    if (!event.shiftKey || !first) {
      first = n;
    }
    var hash = "#L" + range[0] + (range[1] > range[0] ? "-L" + range[1] : "");
    history.replaceState(null, "", hash);
    mark(range, false);
    copy(location.href, range[1] > range[0] ? "lines " + range[0] + " to " + range[1] : "line " + n);
  });

  window.addEventListener("hashchange", function () {
    mark(parse(location.hash), true);
  });
  var arrived = parse(location.hash);
  if (arrived) {
    first = arrived[0];
    mark(arrived, true);
  }
})();
