package reports

import "time"

// Settings are standard.reports' settings (APP_STANDARD_REPORTS_<FIELD>).
type Settings struct {
	Title    string        `json:"title" default:"Monthly report" validate:"required,max=80"`
	Formats  []string      `json:"formats" default:"pdf,csv" validate:"min=1"`
	Interval time.Duration `json:"interval" default:"24h" validate:"min=1h"`
	Timezone string        `default:"UTC"`                                           // want MOD004 "settings field Timezone has no json tag"
	Window   time.Duration `json:"window" default:"a fortnight"`                     // want MOD004 "default of window, a fortnight, does not parse as a time.Duration"
	PageSize int           `json:"page_size" default:"500" validate:"min=1,max=100"` // want MOD004 "default 500 of page_size breaks its own constraint max=100"
	Currency string        `json:"currency" default:"EUR" validate:"iso4217"`        // want MOD004 "unknown constraint iso4217"
}
