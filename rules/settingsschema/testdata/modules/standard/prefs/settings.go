package prefs

import "time"

type Level string

type Settings struct {
	Timezone            string `default:"UTC"` // want `settings field Timezone has no json tag`
	Region              string // want `settings field Region has no json tag`
	Format              string `json:",omitempty" default:"pdf"` // want `settings field Format has a json tag without a key`
	HTTPPort, AdminPort int    // want `settings field HTTPPort has no json tag` `settings field AdminPort has no json tag`

	Window  time.Duration `json:"window" default:"a fortnight"`                       // want `default "a fortnight" of settings field Window is not a duration \(like 30s or 5m\)`
	Retries int           `json:"retries" default:"ten"`                              // want `default "ten" of settings field Retries is not an integer of 64 bits`
	Small   int8          `json:"small" default:"300"`                                // want `default "300" of settings field Small is not an integer of 8 bits`
	Enabled bool          `json:"enabled" default:"yes"`                              // want `default "yes" of settings field Enabled is not a boolean`
	Size    int           `json:"size" default:"500" validate:"min=1,max=100"`        // want `default "500" of settings field Size breaks its validate tag: value must be at most 100, got 500`
	Mode    string        `json:"mode" default:"slow" validate:"oneof=fast thorough"` // want `default "slow" of settings field Mode breaks its validate tag: must be one of fast, thorough, got "slow"`
	Delay   time.Duration `json:"delay" default:"1s" validate:"min=1m"`               // want `default "1s" of settings field Delay breaks its validate tag: value must be at least 1m, got 1s`
	Ratio   float64       `json:"ratio" default:"2" validate:"min=0.5, max=1"`        // want `default "2" of settings field Ratio breaks its validate tag: value must be at most 1, got 2`

	// Quiet: correct settings that look close.
	Token    string        `json:"token" validate:"required"` // no default: the config supplies it
	Workers  int           `json:"workers" validate:"min=1"`  // no default: the config supplies it
	Interval time.Duration `json:"interval" default:"24h" validate:"min=1h"`
	Formats  []string      `json:"formats" default:"pdf,csv" validate:"min=1"`
	Empty    []string      `json:"empty" default:""`
	Level    Level         `json:"level,omitempty" default:"info" validate:"oneof=debug info"`
	Port     uint16        `json:"port" default:"8080" validate:"min=1, max=65535"`
	Share    float32       `json:"share" default:"0.25" validate:"min=0,max=1"`
	Title    string        `json:"title" default:"Monthly report" validate:"required,max=80"`
	Off      bool          `json:"off"`
	cache    map[string]int
}

// Other is not a settings struct.
type Other struct {
	Name  string
	Count int `default:"x"`
}
