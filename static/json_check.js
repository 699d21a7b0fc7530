// JSON examples checked as you type: where the text stops being JSON (line and column), shown
// under the field. Only a hint: the server checks again on save and its message is the one that
// counts. Fields opt in with `data-json`.
(function () {
  "use strict";

  const MAX_DEPTH = 64;

  // A strict JSON reader that only says where it first goes wrong (browsers' own messages do not
  // always give a position). Returns null for valid JSON, else { at, problem }.
  function firstError(text) {
    let i = 0;
    function fail(problem) { throw { at: i, problem: problem }; }
    function space() { while (i < text.length && " \t\n\r".includes(text[i])) i++; }
    function literal(word) {
      if (text.startsWith(word, i)) i += word.length;
      else fail("expected a value (a string needs double quotes; true, false and null are lower case)");
    }
    function string() {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") {
          i++;
          if (text[i] === "u") {
            if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("\\u needs four hex digits");
            i += 4;
          } else if (!'"\\/bfnrt'.includes(text[i] || "")) fail("unknown escape");
        } else if (text.charCodeAt(i) < 0x20) fail("a line break inside a string must be written \\n");
        i++;
      }
      if (i >= text.length) fail("the string is not closed with a double quote");
      i++;
    }
    function number() {
      const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!match) fail("not a number");
      i += match[0].length;
    }
    function value(depth) {
      if (depth > MAX_DEPTH) fail("nested deeper than " + MAX_DEPTH + " levels");
      space();
      const c = text[i];
      if (c === "{") {
        i++; space();
        if (text[i] === "}") { i++; return; }
        for (;;) {
          space();
          if (text[i] !== '"') fail("expected a key in double quotes");
          string(); space();
          if (text[i] !== ":") fail("expected : after the key");
          i++; value(depth + 1); space();
          if (text[i] === ",") { i++; space(); if (text[i] === "}") fail("a comma before } is not allowed in JSON"); continue; }
          if (text[i] === "}") { i++; return; }
          fail("expected , or }");
        }
      } else if (c === "[") {
        i++; space();
        if (text[i] === "]") { i++; return; }
        for (;;) {
          value(depth + 1); space();
          if (text[i] === ",") { i++; space(); if (text[i] === "]") fail("a comma before ] is not allowed in JSON"); continue; }
          if (text[i] === "]") { i++; return; }
          fail("expected , or ]");
        }
      } else if (c === '"') string();
      else if (c === "-" || (c >= "0" && c <= "9")) number();
      else if (c === "t") literal("true");
      else if (c === "f") literal("false");
      else if (c === "n") literal("null");
      else if (c === undefined) fail("the text ends before the value does");
      else fail("expected a value (a string needs double quotes)");
    }
    try {
      value(0); space();
      if (i < text.length) fail("there is more after the value");
      return null;
    } catch (error) {
      return error;
    }
  }

  // Each field has its own hint right after it (the error scenarios' fields share a name).
  function hintFor(field) {
    const next = field.nextElementSibling;
    if (next && next.classList.contains("json-live")) return next;
    const hint = document.createElement("small");
    if (field.id) hint.id = field.id + "-live";
    hint.className = "json-live";
    hint.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", hint);
    return hint;
  }

  function check(field) {
    const text = field.value.replace(/^\uFEFF/, "");
    const hint = hintFor(field);
    if (!text.trim() || text.length > 65536) {
      hint.textContent = "";
      return;
    }
    const error = firstError(text);
    if (!error) {
      hint.textContent = "Valid JSON.";
      hint.classList.remove("json-bad");
      return;
    }
    const lines = text.slice(0, error.at).split("\n");
    hint.textContent = "Not JSON yet, line " + lines.length + ", column " +
      (lines[lines.length - 1].length + 1) + ": " + error.problem + ".";
    hint.classList.add("json-bad");
  }

  const timers = new WeakMap();
  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!field.matches || !field.matches("textarea[data-json]")) return;
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(function () { check(field); }, 300));
  });
})();
