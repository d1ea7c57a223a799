// GOV.UK Frontend's start-of-body snippet, as a file so the Content-Security-Policy needs no inline script:
// its components style themselves only when these classes are on <body>.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
