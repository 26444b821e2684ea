// The console's only script: live pages refresh their [data-live] regions in place,
// graph nodes and table rows select a state for the step panel, actions ask before
// destructive steps, and the input editor says whether its text is JSON.
(function () {
  "use strict";
  let timer = null;

  function schedule() {
    clearTimeout(timer);
    const seconds = parseFloat(document.body.dataset.refresh || "0");
    document.getElementById("live-indicator")?.toggleAttribute("hidden", !(seconds > 0));
    if (seconds > 0) timer = setTimeout(refresh, seconds * 1000);
  }

  async function refresh() {
    try {
      const response = await fetch(location.href, { headers: { "X-Console-Refresh": "1" } });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const region of document.querySelectorAll("[data-live]")) {
          const replacement = fresh.getElementById(region.id);
          if (!replacement || typingIn(region)) continue;
          keepOpen(region, replacement);
          region.replaceWith(replacement);
        }
        document.body.dataset.refresh = fresh.body.dataset.refresh || "";
        select(new URL(location.href).searchParams.get("state"));
      }
    } catch (error) {
      // The console restarted or the network dropped: try again at the next tick.
    }
    schedule();
  }

  function typingIn(region) {
    const active = document.activeElement;
    return region.contains(active) && active.matches("input, textarea, select");
  }

  // What the reader opened (an input, a cause) stays open when its region is refreshed.
  function keepOpen(region, replacement) {
    const before = region.querySelectorAll("details");
    const after = replacement.querySelectorAll("details");
    if (before.length !== after.length) return;
    before.forEach((details, index) => { after[index].open = details.open; });
  }

  function select(name) {
    if (!name) return;
    for (const element of document.querySelectorAll("[data-select]")) {
      element.classList.toggle("selected", element.dataset.select === name);
    }
    const steps = document.querySelectorAll(".step[data-step]");
    if (![...steps].some((step) => step.dataset.step === name)) return;
    for (const step of steps) step.hidden = step.dataset.step !== name;
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-select]");
    if (!target) return;
    const url = new URL(location.href);
    url.searchParams.set("state", target.dataset.select);
    history.replaceState(null, "", url);
    select(target.dataset.select);
    for (const link of document.querySelectorAll(".tabs a")) {
      const tab = new URL(link.href);
      tab.searchParams.set("state", target.dataset.select);
      link.href = tab.toString();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches?.("[data-select]")) event.target.click();
  });

  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-json-editor]")) return;
    const status = event.target.form.querySelector("[data-json-status]");
    try {
      JSON.parse(event.target.value || "{}");
      status.textContent = "valid JSON";
      status.className = "json-status ok";
    } catch (error) {
      status.textContent = error.message;
      status.className = "json-status bad";
    }
  });

  schedule();
})();
