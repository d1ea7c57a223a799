// Starts every GOV.UK Frontend component on the page (error summary focus, details, buttons...).
import { initAll } from "../govuk/govuk-frontend.min.js"

initAll()
