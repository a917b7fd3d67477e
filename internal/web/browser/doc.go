// Package browser holds the web UI's browser tests: the flows of a rep, a
// manager and an admin driven through Debian's chromium (internal/
// browsertest) at a laptop's and a phone's width, in Chinese and in
// English, each page checked by axe-core and under its
// Content-Security-Policy, with screenshots. It has no code of its own.
package browser
