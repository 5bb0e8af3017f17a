// The ticket page's knowledge panel: "Insert link" and "Insert summary" put an article's Markdown
// into the reply at the cursor and say so; a reply that links a staff-only article may go only as
// an internal note, so the public send buttons are disabled, saying why, until the link is gone
// (the server refuses such a reply too). Event delegation: the panel arrives and is replaced by htmx.
(function () {
  "use strict";

  const staffUrls = new Set();
  const NOTE_ONLY_ID = "kb-note-only";

  function reply() {
    return document.getElementById("id_body");
  }

  function announce(text) {
    const region = document.getElementById("kb-announce");
    if (region) {
      region.textContent = "";
      window.setTimeout(function () {
        region.textContent = text;
      }, 50);
    }
  }

  function insertAtCursor(target, text) {
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? target.value.length;
    const before = target.value.slice(0, start);
    const after = target.value.slice(end);
    const lead = before && !/\s$/.test(before) ? " " : "";
    const trail = after && !/^\s/.test(after) ? " " : "";
    target.value = before + lead + text + trail + after;
    const caret = (before + lead + text).length;
    target.focus();
    target.setSelectionRange(caret, caret);
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function publicButtons(form) {
    return Array.from(form.querySelectorAll("button[type=submit]")).filter(function (button) {
      return button.name !== "internal";
    });
  }

  // Disable "Send reply" (and its variants) while the reply links a staff-only article.
  function checkNoteOnly() {
    const body = reply();
    const form = body && body.form;
    if (!form) {
      return;
    }
    let linked = false;
    staffUrls.forEach(function (url) {
      if (body.value.includes(url)) {
        linked = true;
      }
    });
    let hint = document.getElementById(NOTE_ONLY_ID);
    if (linked && !hint) {
      hint = document.createElement("p");
      hint.id = NOTE_ONLY_ID;
      hint.className = "small text-danger w-100 mb-0";
      hint.textContent = "This reply links a staff-only article: add it as an internal note, or remove the link to send it to the customer.";
      const buttons = publicButtons(form);
      if (buttons.length) {
        buttons[0].parentElement.appendChild(hint);
      }
    } else if (!linked && hint) {
      hint.remove();
    }
    publicButtons(form).forEach(function (button) {
      button.disabled = linked;
      if (linked) {
        button.setAttribute("aria-describedby", NOTE_ONLY_ID);
      } else {
        button.removeAttribute("aria-describedby");
      }
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-kb-insert]");
    const target = reply();
    if (!button) {
      return;
    }
    if (!target) {
      announce("This request is closed: there is no reply to insert into.");
      return;
    }
    const staffUrl = button.dataset.kbStaffUrl;
    if (staffUrl) {
      staffUrls.add(staffUrl);
    }
    insertAtCursor(target, button.dataset.kbInsert);
    checkNoteOnly();
    announce(
      (button.textContent.includes("summary") ? "Summary of " : "Link to ") +
        "“" + button.dataset.kbTitle + "” inserted into the reply." +
        (staffUrl ? " Staff only: send it as an internal note." : "")
    );
  });

  document.addEventListener("input", function (event) {
    if (event.target === reply() && staffUrls.size) {
      checkNoteOnly();
    }
  });
})();
