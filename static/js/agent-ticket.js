// The agent's ticket page: canned responses, and telling the collision notice when a reply is
// being written. No inline scripts: everything hangs off data attributes.
(function () {
  "use strict";

  const reply = document.getElementById("id_body");

  window.replyInProgress = function () {
    return Boolean(reply && reply.value.trim().length > 0);
  };

  let wasReplying = window.replyInProgress();
  function announceIfChanged() {
    const replying = window.replyInProgress();
    if (replying !== wasReplying) {
      wasReplying = replying;
      document.body.dispatchEvent(new Event("presence-changed"));
    }
  }
  if (reply) {
    reply.addEventListener("input", announceIfChanged);
  }

  // The presence ping says whether a reply is being written (here, not in an hx-vals "js:"
  // expression: the Content-Security-Policy allows no eval).
  const presence = document.getElementById("presence");
  if (presence) {
    presence.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.replying = window.replyInProgress();
    });
  }

  document.querySelectorAll("select[data-insert-into]").forEach(function (select) {
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
})();
