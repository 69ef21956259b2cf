package prefsfixed

import "time"

type Level string

type Settings struct {
	Timezone  string `json:"timezone" default:"UTC"`
	Region    string `json:"region"`
	Format    string `json:"format,omitempty" default:"pdf"`
	HTTPPort  int    `json:"http_port"`
	AdminPort int    `json:"admin_port"`

	Window  time.Duration `json:"window" default:"0s"`
	Retries int           `json:"retries" default:"0"`
	Small   int8          `json:"small" default:"0"`
	Enabled bool          `json:"enabled" default:"false"`
	Size    int           `json:"size" default:"1" validate:"min=1,max=100"`
	Mode    string        `json:"mode" default:"fast" validate:"oneof=fast thorough"`
	Delay   time.Duration `json:"delay" default:"1m" validate:"min=1m"`
	Ratio   float64       `json:"ratio" default:"0.5" validate:"min=0.5, max=1"`

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
