package web

import "net/http"

// PagePatterns returns the pattern of every page route NewServer
// registers, as ui_routes.go lists them, so that tests that must visit
// every page (the masking scan) learn of a new one without a change.
func PagePatterns() []string {
	var r patternRecorder
	(&Server{}).pages(&r)
	return r
}

// patternRecorder is a router that only notes the patterns.
type patternRecorder []string

func (r *patternRecorder) Handle(pattern string, _ http.Handler) { *r = append(*r, pattern) }
