// Keyboard shortcuts on the review page, for a reviewer going through many endpoints:
// j / k next and previous part, c comment on it, s sign it off, v mark it viewed, d the decision,
// ? the list of shortcuts. Every action is also a visible button; this only saves reaching for it.
(function () {
  "use strict";

  var help = document.getElementById("review-shortcuts");
  if (!help) return;
  var opener = document.getElementById("review-shortcuts-open");

  function parts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-review-part]"));
  }

  function visible(part) {
    var rect = part.getBoundingClientRect();
    return rect.bottom > 0 && rect.top < window.innerHeight;
  }

  // The part being read: the one holding the focus, or the one the address points at (a sign-off
  // comes back to its part), while it is on screen; else the last one whose top has passed a line
  // a little below the viewport's top.
  function current(list) {
    var hash = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    var marked = [document.activeElement, hash];
    for (var m = 0; m < marked.length; m++) {
      var part = marked[m] && marked[m].closest && marked[m].closest("[data-review-part]");
      if (part && visible(part)) return list.indexOf(part);
    }
    var found = -1;
    for (var i = 0; i < list.length; i++) {
      if (list[i].getBoundingClientRect().top <= 120) found = i;
    }
    return found;
  }

  function go(part) {
    if (!part) return;
    var heading = part.querySelector("h2, h3") || part;
    heading.setAttribute("tabindex", "-1");
    part.scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
  }

  function press(part, selector) {
    var button = part && part.querySelector(selector);
    if (button) button.click();
  }

  function comment(part) {
    var form = part && part.querySelector("details.comment-form");
    if (!form) return;
    form.open = true;
    var field = form.querySelector("textarea");
    if (field) field.focus();
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  function showHelp() {
    if (!help.open) help.showModal();
  }

  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", showHelp);
  }

  document.addEventListener("keydown", function (event) {
    // A held key repeats: one sign-off per press, not a burst of them.
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.repeat || event.isComposing) return;
    if (typing(event.target) || help.open) return;
    var list = parts();
    var at = current(list);
    var here = list[at];
    switch (event.key) {
      case "j": go(list[Math.min(at + 1, list.length - 1)]); break;
      case "k":
        // Inside a long part, k first goes back to its top, as in a reader.
        if (here && here.getBoundingClientRect().top < -10) go(here);
        else go(list[Math.max(at - 1, 0)]);
        break;
      case "c": comment(here); break;
      case "s": press(here, "[data-key-signoff]"); break;
      case "v": press(here, "[data-key-viewed]"); break;
      case "d": go(document.getElementById("decision")); break;
      case "?": showHelp(); break;
      default: return;
    }
    event.preventDefault();
  });
})();
