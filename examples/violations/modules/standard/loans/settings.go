package loans

import "time"

// Settings configure standard.loans.
type Settings struct {
	LoanDays    int           `json:"loan_days" default:"21" validate:"min=1,max=90"`
	SweepEvery  time.Duration `json:"sweep_every" default:"15m"`
	MaxPerQuery int           `json:"max_per_query" default:"100" validate:"min=1,max=1000"`
}
