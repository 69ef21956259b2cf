package notifications

// Settings are standard.notifications's settings, read from the
// "standard.notifications" object of the config file and from
// APP_STANDARD_NOTIFICATIONS_<FIELD>.
type Settings struct {
	// MaxAttempts is the number of failed delivery attempts after which a
	// notification is given up as failed.
	MaxAttempts int `json:"max_attempts" default:"5" validate:"min=1,max=50"`
	// DefaultChannel is the channel of a notification enqueued without one.
	DefaultChannel string `json:"default_channel" default:"email" validate:"oneof=email sms webhook"`
	// OpsRecipient receives the reports of failed audit runs.
	OpsRecipient string `json:"ops_recipient" default:"ops@example.com" validate:"required,max=254"`
	// PageSize is the number of notifications a list returns when no limit
	// is given.
	PageSize int `json:"page_size" default:"50" validate:"min=1,max=1000"`
}
