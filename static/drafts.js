// Local drafts: what a user typed into a form and has not saved is kept in this browser, so a
// reload, an expired session or a closed tab loses nothing. The form is filled in again on the
// next visit and the user is told so, with a way to throw the draft away.
// Works with portal.js: a form is unsaved while it carries `data-unsaved` (set on typing here, or
// by the server when it shows input that was not saved).
(function () {
  "use strict";

  const PREFIX = "portal-draft:";
  const SKIP = ["csrf_token", "version", "action", "insist"];

  function storage() {
    try {
      return window.localStorage;
    } catch (_) {
      return null;
    }
  }

  function keyOf(form) {
    return PREFIX + window.location.pathname + "|" + (form.getAttribute("action") || "") + "|" + (form.id || "");
  }

  function fields(form) {
    return Array.from(form.elements).filter(function (field) {
      return field.name && !SKIP.includes(field.name) && field.type !== "hidden" && !field.closest("[hidden]") &&
        field.type !== "password" && field.type !== "submit" && field.type !== "button" &&
        field.type !== "file";
    });
  }

  // Every named field's values in page order; a checkbox or radio by whether it is checked.
  function valuesOf(form) {
    const values = {};
    for (const field of fields(form)) {
      const value = field.type === "checkbox" || field.type === "radio" ? (field.checked ? "1" : "") : field.value;
      (values[field.name] = values[field.name] || []).push(value);
    }
    return values;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function versionOf(form) {
    const field = form.querySelector("input[name=version]");
    return field ? field.value : null;
  }

  // A form showing a secret the guard refused keeps no draft: secrets are never stored here.
  function holdsRefusedSecret(form) {
    return Boolean(form.querySelector(".secret-prompt"));
  }

  function save(form) {
    const store = storage();
    if (!store || !form.isConnected) return;
    if (holdsRefusedSecret(form)) {
      drop(form);
      return;
    }
    try {
      store.setItem(keyOf(form), JSON.stringify({ at: Date.now(), version: versionOf(form), values: valuesOf(form) }));
    } catch (_) {
      // A full storage only means no draft; the unsaved-changes warning still guards the form.
    }
  }

  function drop(form) {
    const store = storage();
    if (store) store.removeItem(keyOf(form));
  }

  function read(form) {
    const store = storage();
    if (!store) return null;
    try {
      const draft = JSON.parse(store.getItem(keyOf(form)) || "null");
      return draft && typeof draft.values === "object" ? draft : null;
    } catch (_) {
      return null;
    }
  }

  // Fills the form from a draft; values for rows the page no longer has are counted, not lost
  // silently.
  function restore(form, draft) {
    let missing = 0;
    const seen = {};
    for (const field of fields(form)) {
      const list = draft.values[field.name];
      const index = seen[field.name] = (seen[field.name] || 0) + 1;
      if (!list || index > list.length) continue;
      const value = list[index - 1];
      if (field.type === "checkbox" || field.type === "radio") field.checked = value === "1";
      else field.value = value;
    }
    for (const name of Object.keys(draft.values)) {
      const extra = draft.values[name].length - (seen[name] || 0);
      if (extra > 0 && draft.values[name].slice(-extra).some(Boolean)) missing = Math.max(missing, extra);
    }
    return missing;
  }

  function tell(form, draft, missing) {
    const note = document.createElement("div");
    note.className = "flash flash-info draft-note";
    note.setAttribute("role", "status");
    const text = document.createElement("p");
    const when = new Date(draft.at).toLocaleString();
    text.textContent = "Restored what you typed here on " + when + " and had not saved. Check it, then save." +
      (missing > 0 ? " " + missing + " typed row(s) did not fit the table; add rows and look at Edit as text." : "");
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary outline small";
    discard.textContent = "Discard my unsaved edits";
    discard.addEventListener("click", function () {
      drop(form);
      delete form.dataset.unsaved;
      window.location.reload();
    });
    note.append(text, discard);
    form.prepend(note);
  }

  // Forms opt in with `data-draft`: the partner's working forms, not sign-in or file uploads.
  function postForms(root) {
    return Array.from((root || document).querySelectorAll("form[data-draft]")).filter(function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post" && fields(form).length > 0;
    });
  }
  function drafted(form) {
    return form && form.hasAttribute("data-draft") && (form.getAttribute("method") || "").toLowerCase() === "post";
  }

  function arrive() {
    const saved = document.querySelector(".flash-success, p.saved");
    for (const form of postForms()) {
      const draft = read(form);
      if (form.dataset.unsaved) {
        // The server shows input it did not save: that is the draft now.
        save(form);
        continue;
      }
      if (!draft) continue;
      if (same(draft.values, valuesOf(form)) || (draft.sent && saved)) {
        drop(form);
        continue;
      }
      const missing = restore(form, draft);
      // The draft was typed over the version it started from: if a teammate saved since, the
      // save shows their version beside it instead of silently replacing it.
      const version = form.querySelector("input[name=version]");
      if (version && draft.version) version.value = draft.version;
      form.dataset.unsaved = "true";
      const folded = form.closest("details:not([open])");
      if (folded) folded.open = true;
      tell(form, draft, missing);
    }
  }

  const timers = new WeakMap();
  document.addEventListener("input", function (event) {
    const form = event.target.form;
    if (!drafted(form)) return;
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { save(form); }, 250));
  });
  document.addEventListener("change", function (event) {
    const form = event.target.form;
    if (drafted(form) && form.dataset.unsaved) save(form);
  });

  // A plain submit may end on a login page (expired session) or an error: the draft stays,
  // marked sent, until a page shows the save succeeded or the same values.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    if (form) clearTimeout(timers.get(form));
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    clearTimeout(timers.get(form));
    if (form.hasAttribute("hx-post")) return;
    if (form.getAttribute("action") === "/logout") {
      const store = storage();
      if (store) Object.keys(store).filter(function (k) { return k.startsWith(PREFIX); }).forEach(function (k) { store.removeItem(k); });
      return;
    }
    const draft = drafted(form) ? read(form) : null;
    if (draft) {
      draft.sent = true;
      try { storage().setItem(keyOf(form), JSON.stringify(draft)); } catch (_) { /* no draft then */ }
    }
  });

  // With htmx the answer tells: saved (200 without unsaved input) drops the draft; anything else
  // keeps it, and the form the server sent back is the new draft.
  document.addEventListener("htmx:afterSwap", function (event) {
    for (const form of postForms(document)) {
      if (form.dataset.unsaved) save(form);
      else if (event.detail.xhr && event.detail.xhr.status === 200) drop(form);
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", arrive);
  else arrive();
})();
