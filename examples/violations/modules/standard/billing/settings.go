package billing

import "time"

// DefaultCurrency is the currency invoices are issued in unless the
// currency setting says otherwise.
const DefaultCurrency = "EUR"

// Settings are standard.billing's settings (APP_STANDARD_BILLING_<FIELD>).
type Settings struct {
	Currency  string        `json:"currency" default:"EUR" validate:"oneof=EUR USD GBP"`
	MaxCents  int64         `json:"max_cents" default:"1000000" validate:"min=1"`
	DueAfter  time.Duration `json:"due_after" default:"720h" validate:"min=24h,max=2160h"`
	Reminders []string      `json:"reminders" default:"email,sms" validate:"max=3"`
	Footer    string        `json:"footer"`
}
