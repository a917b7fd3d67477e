//go:build race

package store_test

// raceDetector is true when the tests run under the race detector, which
// slows every write several times over: the largest proofs then run at a
// smaller size, and at full size without it.
const raceDetector = true
