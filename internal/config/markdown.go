package config

import "strings"

// Markdown returns the table of options as the README shows it.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | commands | meaning |\n|---|---|---|---|---|\n")
	for _, o := range options {
		row := []string{code("--", o.Flag), code("", o.Env), o.Shown, "all", o.Help}
		if row[2] == "" {
			row[2] = code("", o.Default)
		}
		if row[2] == "" {
			row[2] = "none"
		}
		if o.Scope == Serve {
			row[3] = "`serve`"
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// code is prefix+s as code, or "" for no s.
func code(prefix, s string) string {
	if s == "" {
		return ""
	}
	return "`" + prefix + s + "`"
}
