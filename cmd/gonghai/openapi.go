package main

import (
	"flag"
	"fmt"

	"github.com/gonghai/gonghai/internal/web"
)

// openapi prints the OpenAPI document the server serves, without a
// database: CI lints it, and client generators read it.
func (e *environment) openapi(args []string) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("openapi takes no arguments")
	}
	doc, err := web.Document()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", doc)
	return err
}
