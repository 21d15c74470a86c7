import { initAll } from "/static/govuk/govuk-frontend.min.js";
import "/static/js/drafts.mjs";
import "/static/js/session-timeout.mjs";

initAll();

// "Sign out" is a link, as GOV.UK headers have it; signing out is still a POST.
for (const link of document.querySelectorAll("a[data-sign-out]")) {
  const form = document.getElementById(link.dataset.signOut);
  if (!form) continue;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    form.requestSubmit();
  });
}
