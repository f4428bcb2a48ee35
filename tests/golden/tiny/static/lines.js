/* Line addresses of a document's text (see README, "Addresses").

   `#L42` is line 42 of the text, `#L42-L47` lines 42 to 47: each line is a
   <span id="LN"> inside the <pre data-verbatim>, so that `#L42` goes to its line even
   without script. This script marks the line or range named on arrival (and when the
   address changes), and a click on a line's number marks that line, or with shift the
   lines from the last one marked, puts the address in the address bar and copies it.
   The same is done from the keyboard with the form above the text (`[data-line-form]`):
   a first and a last line, and a button named for what it copies ("Copy link to lines 42
   to 47"); a click on a line's number fills it in. What was copied is said in the status
   line (`role="status"`), which screen readers announce.
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
  var count = 0;
  for (var child = text.firstElementChild; child; child = child.nextElementSibling) {
    count += /^L[0-9]+$/.test(child.id) ? 1 : 0;
  }
  var form = document.querySelector("[data-line-form]");
  var from = form && form.querySelector("[data-line-from]");
  var to = form && form.querySelector("[data-line-to]");
  var button = form && form.querySelector("[data-line-copy]");
  text.classList.add("lines-ready");
  if (help) {
    help.hidden = false;
  }
  if (form && from && to && button && count) {
    from.max = to.max = String(count);
    form.hidden = false;
  } else {
    form = null;
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

  function described(range) {
    return range[1] > range[0] ? "lines " + range[0] + " to " + range[1] : "line " + range[0];
  }

  function show(range) {
    if (form && range) {
      from.value = String(range[0]);
      to.value = range[1] > range[0] ? String(range[1]) : "";
      button.textContent = "Copy link to " + described(range);
    }
  }

  function choose(range, scroll) {
    var hash = "#L" + range[0] + (range[1] > range[0] ? "-L" + range[1] : "");
    history.replaceState(null, "", hash);
    mark(range, scroll);
    show(range);
    copy(location.href, described(range));
  }

  function entered() {
    var a = Number(from.value);
    var b = to.value === "" ? a : Number(to.value);
    var fits = function (n) {
      return n >= 1 && n <= count && Math.floor(n) === n;
    };
    if (from.value === "" || !fits(a) || !fits(b)) {
      return null;
    }
    return a <= b ? [a, b] : [b, a];
  }

  if (form) {
    form.addEventListener("input", function () {
      var range = entered();
      button.textContent = range ? "Copy link to " + described(range) : "Copy link";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var range = entered();
      if (!range) {
        say("Enter line numbers from 1 to " + count + ".");
        return;
      }
      first = range[0];
      choose(range, true);
    });
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
    choose(range, false);
  });

  window.addEventListener("hashchange", function () {
    var range = parse(location.hash);
    mark(range, true);
    show(range);
  });
  var arrived = parse(location.hash);
  if (arrived) {
    first = arrived[0];
    mark(arrived, true);
    show(arrived);
  }
})();
