// "Try the bot": posts each message to the simulator API with the admin session (and its CSRF token), then
// draws the lead's text and the bot's reply as chat bubbles and what the bot decided as a table.
(function () {
  "use strict";

  function bubble(chat, sender, text) {
    var line = document.createElement("div");
    line.className = "jb-bubble jb-" + sender + "-text";
    line.dataset.sender = sender;
    line.textContent = text;
    chat.appendChild(line);
    chat.scrollTop = chat.scrollHeight;
  }

  function decision(table, turn) {
    var rows = [
      ["Bot", turn.bot], ["Outcome", turn.outcome], ["Screened", (turn.screened || []).join(", ")], ["Temperature", turn.temperature || ""],
      ["Next question", turn.next_question || ""], ["Tags added", turn.tags_add.join(", ")],
      ["Tags removed", turn.tags_remove.join(", ")], ["The lead's tags", turn.tags.join(", ")],
      ["Handoff", turn.handoff || ""],
      ["Listings matched", turn.matches.map(function (m) { return m.address + ", " + m.city; }).join("; ")]
    ];
    table.replaceChildren();
    rows.forEach(function (row) {
      if (!row[1]) { return; }
      var tr = table.insertRow();
      var th = document.createElement("th");
      th.textContent = row[0];
      tr.appendChild(th);
      tr.insertCell().textContent = row[1];
    });
  }

  function start() {
    var form = document.getElementById("try-form");
    if (!form) { return; }
    var chat = document.getElementById("try-chat");
    var input = document.getElementById("try-message");
    var error = document.getElementById("try-error");
    var table = document.getElementById("try-decision");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var contactKey = null;

    document.getElementById("try-restart").addEventListener("click", function () {
      contactKey = null;
      chat.replaceChildren();
      table.replaceChildren();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = input.value.trim();
      if (!message) { return; }
      var tags = document.getElementById("try-tags").value.split(",").map(function (t) { return t.trim(); })
        .filter(Boolean);
      var body = {location: document.getElementById("try-location").value, message: message};
      if (contactKey) { body.contact_key = contactKey; } else if (tags.length) { body.tags = tags; }
      bubble(chat, "lead", message);
      input.value = "";
      error.hidden = true;
      fetch(form.dataset.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (turn) {
          if (!response.ok) { throw new Error(JSON.stringify(turn)); }
          return turn;
        });
      }).then(function (turn) {
        contactKey = turn.contact_key;
        bubble(chat, "bot", turn.reply || "(no reply: " + turn.outcome + ")");
        decision(table, turn);
      }).catch(function (failure) {
        error.textContent = "The simulator said: " + failure.message;
        error.hidden = false;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
