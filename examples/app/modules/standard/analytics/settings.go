package analytics

// Settings are standard.analytics's settings, read from the
// "standard.analytics" object of the config file and from
// APP_STANDARD_ANALYTICS_<FIELD>.
type Settings struct {
	// RetentionDays is how long Prune keeps an event.
	RetentionDays int `json:"retention_days" default:"90" validate:"min=1,max=3650"`
	// TopNames is the number of event names a summary lists.
	TopNames int `json:"top_names" default:"10" validate:"min=1,max=100"`
	// MaxNameLength bounds the length of an event name.
	MaxNameLength int `json:"max_name_length" default:"64" validate:"min=1,max=256"`
	// Sources lists the sources an event may come from.
	Sources []string `json:"sources" default:"web,api,worker" validate:"min=1"`
}
