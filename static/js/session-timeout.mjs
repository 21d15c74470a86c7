// Warns before a session ends for inactivity, and offers to keep it going.
//
// Signed-in pages carry <dialog data-module="app-session-timeout"> with the seconds left
// (data-seconds-left), when to warn (data-warning-seconds) and the sign-in page
// (data-sign-in-url). Before warning, and again before giving up, it asks the server how long
// is left without counting that as activity: another tab may have kept the session going.
// "Stay signed in" (or Escape) posts the dialog's form, which starts the idle clock again.
// When time runs out it goes to the sign-in page, which comes back here after signing in.

// The server ends a session only once it is past its limit: arrive a little after.
const GRACE_MS = 5000;

function describe(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  const whole = Math.max(0, Math.ceil(seconds));
  return `${whole} second${whole === 1 ? "" : "s"}`;
}

function start(dialog) {
  const warningSeconds = Number(dialog.dataset.warningSeconds);
  const signInUrl = dialog.dataset.signInUrl;
  const countdown = dialog.querySelector("[data-session-countdown]");
  const stayForm = dialog.querySelector("#session-timeout-stay");
  let endsAt = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
  let asking = false;

  const signIn = () => {
    const here = window.location.pathname + window.location.search;
    window.location.assign(`${signInUrl}?next=${encodeURIComponent(here)}`);
  };

  // Seconds left by the server's clock, or null once the session is over. A signed-out
  // session answers with a redirect to the sign-in page, which is not followed.
  const ask = async (method) => {
    const response = await fetch(stayForm.action, {
      method,
      body: method === "POST" ? new FormData(stayForm) : undefined,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    });
    if (!response.ok) return null;
    const answer = await response.json();
    return answer.seconds_left;
  };

  const refresh = async (method) => {
    asking = true;
    try {
      const secondsLeft = await ask(method);
      if (secondsLeft === null || secondsLeft <= 0) {
        signIn();
        return;
      }
      endsAt = Date.now() + secondsLeft * 1000;
      if (secondsLeft > warningSeconds && dialog.open) dialog.close();
    } catch {
      signIn();
    } finally {
      asking = false;
    }
  };

  const tick = () => {
    if (asking) return;
    const left = (endsAt - Date.now()) / 1000;
    if (left * 1000 <= -GRACE_MS) {
      refresh("GET");
    } else if (left <= warningSeconds) {
      if (dialog.open) {
        countdown.textContent = describe(left);
      } else {
        refresh("GET").then(() => {
          const stillLeft = (endsAt - Date.now()) / 1000;
          if (stillLeft <= warningSeconds && !dialog.open) {
            countdown.textContent = describe(stillLeft);
            dialog.showModal();
          }
        });
      }
    }
  };

  const stay = (event) => {
    event.preventDefault();
    refresh("POST").then(() => {
      if (dialog.open) dialog.close();
    });
  };
  stayForm.addEventListener("submit", stay);
  dialog.addEventListener("cancel", stay);
  window.setInterval(tick, 1000);
}

const dialog = document.querySelector('dialog[data-module="app-session-timeout"]');
if (dialog && typeof dialog.showModal === "function") start(dialog);
