import { initAll } from "/static/govuk/govuk-frontend.min.js";
import "/static/js/drafts.mjs";
import "/static/js/session-timeout.mjs";

initAll();
