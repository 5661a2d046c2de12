// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  var form = document.getElementById("answers");

  // Drafts: answers are kept in this browser (never sent anywhere) while a form is being
  // filled in, put back when the page is opened again, and forgotten once the form is sent.
  var PREFIX = "surveys-draft:";
  var LIFETIME = 7 * 24 * 3600 * 1000;
  var SKIP = { csrf_token: 1, started: 1, submission_key: 1, website_url: 1 };
  var store = null;
  try {
    store = window.localStorage;
    store.setItem(PREFIX + "probe", "1");
    store.removeItem(PREFIX + "probe");
  } catch (error) {
    store = null;
  }
  var sent = document.body.getAttribute("data-clear-draft");
  if (store && sent) store.removeItem(PREFIX + sent);

  function fields(callback) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !SKIP[field.name] && field.type !== "hidden" && field.type !== "submit") {
        callback(field, field.type === "checkbox" || field.type === "radio");
      }
    });
  }
  if (store && form && form.dataset.draft) {
    var key = PREFIX + form.dataset.draft;
    if (form.dataset.restore === "1") {
      var draft = null;
      try { draft = JSON.parse(store.getItem(key)); } catch (error) { draft = null; }
      if (draft && Date.now() - draft.t < LIFETIME) {
        fields(function (field, box) {
          var values = draft.v[field.name];
          if (!values) return;
          if (box) field.checked = values.indexOf(field.value) >= 0;
          else field.value = values[0];
        });
      } else {
        store.removeItem(key);
      }
    }
    var save = function () {
      var values = {};
      fields(function (field, box) {
        if (box ? field.checked : field.value) {
          (values[field.name] = values[field.name] || []).push(field.value);
        }
      });
      try { store.setItem(key, JSON.stringify({ t: Date.now(), v: values })); } catch (error) { /* full */ }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    // Back to a page the browser kept whole (back/forward cache) after its form was sent (the
    // thank-you page erased the draft): on a shared phone the next person must not see what
    // was typed, so it is emptied and fetched again, blank. Chromium already fetches it again
    // (formflow.sent changes the session cookie); this is for browsers that keep such pages.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted || store.getItem(key)) return;
      var typed = false;
      fields(function (field, box) {
        if (box ? field.checked : field.value) typed = true;
        if (box) field.checked = false;
        else field.value = "";
      });
      if (typed) window.location.replace(window.location.pathname);
    });
  }

  // Follow-ups ("Another channel" → "Which one?", the contact consent) show once what they
  // depend on is chosen or typed, and hide again when it is not (their answers are then not
  // kept: the server drops an answer whose condition does not hold).
  if (form) {
    var conditional = form.querySelectorAll("[data-when], [data-when-any]");
    var given = function (name) {
      var found = [];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== name) return;
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked) found.push(field.value);
        } else if (field.value.trim()) {
          found.push(field.value);
        }
      });
      return found;
    };
    var holds = function (block) {
      if (block.dataset.whenAny) {
        return block.dataset.whenAny.split(" ").some(function (name) { return given(name).length > 0; });
      }
      var wanted = block.dataset.values.split(" ");
      return given(block.dataset.when).some(function (value) { return wanted.indexOf(value) >= 0; });
    };
    var reveal = function () {
      Array.prototype.forEach.call(conditional, function (block) { block.hidden = !holds(block); });
    };
    if (conditional.length) {
      reveal();
      form.addEventListener("change", reveal);
      form.addEventListener("input", reveal);
      window.addEventListener("pageshow", reveal);
    }
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary moves focus to the field it names, not just the scroll position.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      }
    });
  }

  // Switching language in the middle of a form: the page comes back at the question the
  // person was on (the last one they touched, else the first one on screen), not at the top
  // of a long page. Without this script it comes back at the top, every answer kept.
  if (form) {
    var current = null;
    form.addEventListener("focusin", function (event) {
      current = event.target.closest(".q[id]") || current;
    });
    document.querySelectorAll("button[name=switch_language]").forEach(function (button) {
      button.addEventListener("click", function () {
        var question = current || Array.prototype.find.call(
          form.querySelectorAll(".q[id]"),
          function (candidate) { return candidate.getBoundingClientRect().bottom > 0; }
        );
        if (question) button.formAction = button.formAction.split("#")[0] + "#" + question.id;
      });
    });
  }

  // Live character counters: "123 / 2 000" in the page's number format.
  var format = new Intl.NumberFormat(document.documentElement.lang);
  document.querySelectorAll("textarea[data-max]").forEach(function (area) {
    var counter = document.getElementById(area.id + "-counter");
    var max = parseInt(area.dataset.max, 10);
    if (!counter) return;
    function update() {
      counter.textContent = format.format(area.value.length) + " / " + format.format(max);
      counter.classList.toggle("over", area.value.length > max);
    }
    counter.hidden = false;
    area.addEventListener("input", update);
    update();
  });
})();
