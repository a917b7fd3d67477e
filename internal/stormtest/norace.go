//go:build !race

package stormtest

// Race reports whether the race detector is on.
const Race = false
