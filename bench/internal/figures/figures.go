// Package figures holds what the benchmark harnesses of bench/ compute and
// print alike: percentiles of latencies, medians over runs, milliseconds,
// and the machine's load average.
package figures

import (
	"os"
	"slices"
	"strings"
	"time"
)

// Percentile is the nearest-rank p-th percentile of ds (0 for none).
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := max((p*len(s)+99)/100, 1)
	return s[rank-1]
}

// Median is the median of vs, the lower middle one of an even count (0
// for none).
func Median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// LoadAverage is the first three fields of /proc/loadavg, or "unknown".
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
