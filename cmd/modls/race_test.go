//go:build race

package main

// raceDetector is set when the tests run under the race detector, which
// makes each check several times slower.
const raceDetector = true
