package reports

import "time"

// Settings are standard.reports' settings (APP_STANDARD_REPORTS_<FIELD>).
type Settings struct {
	Title    string        `json:"title" default:"Monthly report" validate:"required,max=80"`
	Formats  []string      `json:"formats" default:"pdf,csv" validate:"min=1"`
	Interval time.Duration `json:"interval" default:"24h" validate:"min=1h"`
	Timezone string        `default:"UTC"`                                           // want MOD004 "settings field Timezone has no json tag"
	Window   time.Duration `json:"window" default:"a fortnight"`                     // want MOD004 `default "a fortnight" of settings field Window is not a duration \(like 30s or 5m\)`
	PageSize int           `json:"page_size" default:"500" validate:"min=1,max=100"` // want MOD004 `default "500" of settings field PageSize breaks its validate tag: value must be at most 100, got 500`
	Currency string        `json:"currency" default:"EUR" validate:"iso4217"`        // want MOD004 `settings field Currency: unknown constraint "iso4217"`
}
