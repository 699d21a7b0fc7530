// Keeps what a user typed when an htmx save cannot be shown in place, and says why.
// Everything works without this file; it only improves the htmx path.
(function () {
  "use strict";

  const fallback = "The portal could not save this. Your text is still in the form; try again in a moment.";

  function problem(text) {
    const banner = document.getElementById("problem");
    if (!banner) return;
    banner.textContent = text || fallback;
    banner.hidden = false;
    banner.scrollIntoView({ block: "nearest" });
  }

  function messageOf(html) {
    const doc = new DOMParser().parseFromString(html || "", "text/html");
    const title = doc.querySelector("main h1");
    const text = doc.querySelector("main article p, main p");
    return [title && title.textContent.trim(), text && text.textContent.trim()].filter(Boolean).join(": ");
  }

  // A response without the element the form swaps (an error page, a deleted endpoint) would
  // otherwise replace the form with nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const detail = event.detail;
    const source = detail.requestConfig && detail.requestConfig.elt;
    const form = source && source.closest("[hx-select]");
    if (!form || !detail.shouldSwap) return;
    const wanted = form.getAttribute("hx-select");
    const doc = new DOMParser().parseFromString(detail.xhr.responseText || "", "text/html");
    if (!doc.querySelector(wanted)) {
      detail.shouldSwap = false;
      problem(messageOf(detail.xhr.responseText));
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    problem(messageOf(event.detail.xhr.responseText));
  });

  document.addEventListener("htmx:sendError", function () {
    problem("The portal could not be reached. Your text is still in the form; check the connection and save again.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    const banner = document.getElementById("problem");
    if (banner && event.detail.successful) banner.hidden = true;
  });

  // Unsaved edits: a form is unsaved from its first change until it is sent, or while the server
  // shows input it did not save (it renders the form with `data-unsaved`). The attribute, not
  // `form.method`: a field named "method" (the endpoint form's) shadows that property.
  function isPost(form) {
    return form && (form.getAttribute("method") || "").toLowerCase() === "post";
  }
  document.addEventListener("input", function (event) {
    const form = event.target.form;
    if (isPost(form)) form.dataset.unsaved = "true";
  });
  document.addEventListener("submit", function (event) {
    // An htmx form stays unsaved until the answer replaces it (a failed request keeps it).
    if (!event.target.hasAttribute("hx-post")) delete event.target.dataset.unsaved;
  });

  // After an htmx save the user stays where they were: on a refusal the first field to fix takes
  // the focus; otherwise the outcome beside the pressed button is brought into view.
  function firstInvalid(root) {
    const marked = root.querySelector("[aria-invalid='true']");
    if (marked) return marked;
    const message = root.querySelector(".field-error");
    if (!message) return null;
    const holder = message.closest("td, fieldset, div, label") || message.parentElement;
    return holder && holder.querySelector("input:not([type=hidden]), select, textarea");
  }
  function settle(root) {
    const outcome = Array.from(root.querySelectorAll(".save-outcome")).find(function (o) { return o.textContent.trim(); });
    const invalid = outcome && outcome.querySelector(".flash-error") ? firstInvalid(root) : null;
    if (invalid) {
      invalid.focus();
    } else if (outcome && !root.querySelector("[autofocus]")) {
      outcome.scrollIntoView({ block: "nearest" });
    }
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    const root = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document.getElementById(
      (event.detail.target && event.detail.target.id) || "");
    if (root && root.querySelector) settle(root);
  });

  // On a phone the section navigation folds away once a part is chosen.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest(".section-nav a");
    const nav = link && link.closest("details");
    if (nav && window.matchMedia("(max-width: 1023px)").matches) nav.open = false;
  });

  // A link to a part of a page ("Partner code: give the partner code") lands on that part's
  // first field, ready to type, not just near it.
  function focusTarget(hash) {
    if (!hash || hash.length < 2) return;
    let target;
    try {
      target = document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch (_) {
      return;
    }
    // A page to read and decide on (the review page) keeps the focus where the reader is.
    if (!target || target.closest("[data-no-field-focus]")) return;
    const fields = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
    // The field itself, one inside the part, or (for a heading) the first one after it.
    let field = target.matches(fields) ? target : target.querySelector(fields);
    if (!field) {
      field = Array.from(document.querySelectorAll(fields)).find(function (candidate) {
        return target.compareDocumentPosition(candidate) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
    }
    if (field) {
      // A folded section opens to show the field.
      for (let d = field.closest("details:not([open])"); d; d = d.parentElement && d.parentElement.closest("details:not([open])")) d.open = true;
      field.focus();
    }
  }
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[href^='#']");
    if (link) setTimeout(function () { focusTarget(link.getAttribute("href")); }, 0);
  });
  window.addEventListener("load", function () {
    // A refused save without JavaScript (shown after a redirect to the form's part of the page):
    // the first field to fix takes the focus; otherwise the part a link names does.
    const refused = Array.from(document.querySelectorAll(".save-outcome .flash-error"))[0];
    const form = refused && refused.closest("form");
    const field = form && firstInvalid(form);
    if (field) field.focus();
    else if (window.location.hash) focusTarget(window.location.hash);
  });

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-unsaved]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
