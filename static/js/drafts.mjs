// Keeps what a person types in a long form until the server has saved it.
//
// Every form marked data-keep-draft copies its fields to sessionStorage as they are typed
// (sessionStorage ends with the browser tab, so a shared computer keeps nothing). If the
// session timed out and the save bounced to the sign-in page, the same form is restored
// after signing in. The server clears the draft with data-clear-draft once it has saved.
//
// A form with data-draft-url (a discussion's sections) is also kept on the server, a few
// seconds after typing stops, so the draft is offered back on any device the recorder signs
// in on. Saving the section deletes it there too.

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

const SERVER_DELAY_MS = 3000;

function pathOf(form) {
  return form.getAttribute("action") || window.location.pathname;
}

function keepOnServer(form) {
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  return fetch(form.dataset.draftUrl, {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
    body: JSON.stringify({ path: pathOf(form), values: snapshot(form) }),
  }).catch(() => {}); // the tab's own copy still holds it
}

async function fromServer(form) {
  const url = `${form.dataset.draftUrl}?path=${encodeURIComponent(pathOf(form))}`;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    return response.status === 200 ? await response.json() : null;
  } catch {
    return null;
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
  } else if (form.dataset.draftUrl && !hasErrors) {
    fromServer(form).then((draft) => {
      if (draft && draft.values) {
        restore(form, draft.values);
        announce(form, draft.savedAt);
      }
    });
  }
  let pending = null;
  const save = () => {
    const savedAt = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    sessionStorage.setItem(key, JSON.stringify({ values: snapshot(form), savedAt }));
    if (form.dataset.draftUrl) {
      clearTimeout(pending);
      pending = setTimeout(() => keepOnServer(form), SERVER_DELAY_MS);
    }
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  // Submitting saves the real thing: no draft is sent after it.
  form.addEventListener("submit", () => clearTimeout(pending));
}
