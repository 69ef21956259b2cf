// Package sketch has no manifest.json.
package sketch

// Draft is a draft.
type Draft struct{ Text string }
