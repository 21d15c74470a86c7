// Tells GOV.UK Frontend's styles that its JavaScript will run (it needs ES modules).
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
