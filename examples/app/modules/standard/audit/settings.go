package audit

// Settings are standard.audit's settings, read from the "standard.audit"
// object of the config file and from APP_STANDARD_AUDIT_<FIELD>.
type Settings struct {
	// MaxAttempts bounds how many times a run may enter running, the first
	// run included.
	MaxAttempts int `json:"max_attempts" default:"3" validate:"min=1,max=20"`
	// PageSize is the number of runs a list returns when no limit is given.
	PageSize int `json:"page_size" default:"50" validate:"min=1,max=1000"`
	// MaxTargetLength bounds the length of a run's target.
	MaxTargetLength int `json:"max_target_length" default:"200" validate:"min=1,max=2000"`
}
