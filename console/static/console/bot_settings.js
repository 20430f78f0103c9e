// The bot settings page (console.bot_settings): picking a text with no variants yet fills in its defaults, so a
// broker edits from the bots' own wording instead of a blank box.
document.addEventListener("DOMContentLoaded", function () {
  const defaults = JSON.parse(document.getElementById("text-defaults").textContent);
  document.querySelectorAll("#texts select").forEach(function (picker) {
    picker.addEventListener("change", function () {
      const variants = picker.closest("tr").querySelector("textarea");
      const key = defaults[picker.value] ? picker.value : picker.value.replace(/_es$/, "");
      if (variants && !variants.value.trim() && defaults[key]) {
        variants.value = defaults[key].join("\n");
      }
    });
  });
});
