// Keeps what a person types in a long form until the server has saved it.
//
// Every form marked data-keep-draft copies its fields to sessionStorage as they are typed
// (sessionStorage ends with the browser tab, so a shared computer keeps nothing). If the
// session timed out and the save bounced to the sign-in page, the same form is restored
// after signing in. The server clears the draft with data-clear-draft once it has saved.

const PREFIX = "draft:";
const SKIP = new Set(["csrfmiddlewaretoken", "password"]);

// A page with two kept forms names them: data-keep-draft="dispute" is kept as path#dispute.
function keyFor(form) {
  const name = form.dataset.keepDraft;
  const path = form.getAttribute("action") || window.location.pathname;
  return PREFIX + path + (name ? `#${name}` : "");
}

function snapshot(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name || SKIP.has(element.name) || element.type === "submit") continue;
    if (element.type === "checkbox" || element.type === "radio") {
      values[element.name] = values[element.name] || [];
      if (element.checked) values[element.name].push(element.value);
    } else {
      values[element.name] = element.value;
    }
  }
  return values;
}

function restore(form, values) {
  for (const element of form.elements) {
    if (!(element.name in values) || SKIP.has(element.name)) continue;
    const value = values[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = value.includes(element.value);
    } else {
      element.value = value;
    }
  }
}

function announce(form, savedAt) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", "draft-restored-title");
  banner.innerHTML =
    '<div class="govuk-notification-banner__header">' +
    '<h2 class="govuk-notification-banner__title" id="draft-restored-title">Important</h2></div>' +
    '<div class="govuk-notification-banner__content">' +
    '<p class="govuk-notification-banner__heading">We kept what you typed before. ' +
    "Check it, then save.</p></div>";
  banner.querySelector("p").append(` (Typed at ${savedAt}.)`);
  form.parentElement.insertBefore(banner, form.parentElement.firstChild);
}

for (const marker of document.querySelectorAll("[data-clear-draft]")) {
  sessionStorage.removeItem(PREFIX + marker.dataset.clearDraft);
}

for (const form of document.querySelectorAll("form[data-keep-draft]")) {
  const key = keyFor(form);
  const hasErrors = document.querySelector(".govuk-error-summary") !== null;
  const stored = sessionStorage.getItem(key);
  if (stored && !hasErrors) {
    const draft = JSON.parse(stored);
    restore(form, draft.values);
    announce(form, draft.savedAt);
  }
  const save = () => {
    const savedAt = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    sessionStorage.setItem(key, JSON.stringify({ values: snapshot(form), savedAt }));
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
}
