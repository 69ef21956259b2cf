// Package calc is a sub-package of standard.reports.
package calc

import "example.com/ruletest/modules/standard/billing" // want `import of standard.billing's package example.com/ruletest/modules/standard/billing; import only its contract`

// Rate is billing's rate.
const Rate = billing.Rate
