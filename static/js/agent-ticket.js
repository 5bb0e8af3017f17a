// The agent's ticket page: canned responses, telling the collision notice when a reply is being
// written, and showing a refused action where the agent is looking. No inline scripts:
// everything hangs off data attributes.
(function () {
  "use strict";

  function reply() {
    return document.getElementById("id_body");
  }

  window.replyInProgress = function () {
    const body = reply();
    return Boolean(body && body.value.trim().length > 0);
  };

  let wasReplying = window.replyInProgress();
  function announceIfChanged() {
    const replying = window.replyInProgress();
    if (replying !== wasReplying) {
      wasReplying = replying;
      document.body.dispatchEvent(new Event("presence-changed"));
    }
  }
  document.addEventListener("input", function (event) {
    if (event.target === reply()) {
      announceIfChanged();
    }
  });

  function bindCannedResponses(root) {
    root.querySelectorAll("select[data-insert-into]").forEach(function (select) {
      select.addEventListener("change", function () {
        const option = select.selectedOptions[0];
        const target = document.getElementById(select.dataset.insertInto);
        if (!option || !option.dataset.body || !target) {
          return;
        }
        target.value = target.value.trim() ? target.value.replace(/\s+$/, "") + "\n\n" + option.dataset.body : option.dataset.body;
        target.focus();
        select.value = "";
        announceIfChanged();
      });
    });
  }

  // The presence ping says whether a reply is being written (here, not in an hx-vals "js:"
  // expression: the Content-Security-Policy allows no eval).
  const presence = document.getElementById("presence");
  if (presence) {
    presence.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.replying = window.replyInProgress();
    });
  }

  // A refused action comes back as its own form, marked data-failed, in place of the one sent
  // (htmx): move the focus to its first error, so it is seen and read out.
  function focusFailure(root) {
    const form = root.matches && root.matches("form[data-failed]") ? root : root.querySelector("form[data-failed]");
    if (!form) {
      return;
    }
    form.removeAttribute("data-failed");
    const target = form.querySelector(".is-invalid, [role=alert]") || form;
    if (!target.matches("input, select, textarea")) {
      target.setAttribute("tabindex", "-1");
    }
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  // Without htmx's help (a plain POST), the whole page comes back with the errors summarised
  // at the top, at the action's address: focus the summary and show the ticket's own address.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  const canonical = document.querySelector("[data-ticket-url]");
  if (canonical && window.location.pathname !== canonical.dataset.ticketUrl) {
    window.history.replaceState(null, "", canonical.dataset.ticketUrl);
  }

  bindCannedResponses(document);
  if (window.htmx) {
    // The ticket's actions answer a refusal with 400 and the form to show again: swap it in.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status === 400 && event.detail.requestConfig.verb === "post") {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    window.htmx.onLoad(function (element) {
      if (element !== document.body) {
        bindCannedResponses(element);
        focusFailure(element);
      }
    });
  }
})();
