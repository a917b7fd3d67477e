package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// The API reads requests strictly: a key it does not know, in any case, a
// key given twice, a query parameter it does not take and a method a route
// does not have are refused, never guessed at.

// allowed lists the methods mux routes r's path with, in the form of an
// Allow header, or "" when only the catch-all matches it: a path no route
// has. A route's GET takes HEAD too, as ServeMux does.
func allowed(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	probe := r.Clone(r.Context())
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPost, http.MethodPut} {
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// strictJSON is huma's JSON format refusing duplicate keys. huma validates
// a body as a map, where the last of two equal keys silently wins, and
// encoding/json fills a struct from keys in any case; with
// huma.ValidateStrictCasing (set in init) a key must match its field
// exactly, and here a key may come only once.
var strictJSON = huma.Format{
	Marshal: huma.DefaultJSONFormat.Marshal,
	Unmarshal: func(data []byte, v any) error {
		if err := uniqueKeys(data); err != nil {
			return err
		}
		return huma.DefaultJSONFormat.Unmarshal(data, v)
	},
}

// errDuplicateKey names no key unless it is one of ours: keys are input.
var errDuplicateKey = errors.New("a key appears twice in one object")

// uniqueKeys returns an error when an object in JSON text data has a key
// twice. Malformed text is left to the decoder that follows.
func uniqueKeys(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := uniqueIn(d, 0, ""); err != errTooDeep {
		return err
	}
	return nil
}

// errTooDeep stops the walk: the decoder that follows refuses such text.
var errTooDeep = errors.New("nested too deep")

// maxDepth is encoding/json's own limit of nesting: deeper text is refused
// by the decoder that follows, and is not walked here.
const maxDepth = 10000

// uniqueIn reads one JSON value from d, at path (login, customer_ids[0]),
// checking the objects in it, and that no string in it holds a NUL.
func uniqueIn(d *json.Decoder, depth int, path string) error {
	if depth > maxDepth {
		return errTooDeep
	}
	t, err := d.Token()
	if err != nil {
		return nil // the decoder after us says what is wrong
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil
			}
			key, _ := k.(string)
			if strings.ContainsRune(key, 0) {
				return nulAt(path)
			}
			if seen[key] {
				if safeName.MatchString(key) {
					return errors.New("the key " + key + " appears twice in one object")
				}
				return errDuplicateKey
			}
			seen[key] = true
			at := key
			if path != "" {
				at = path + "." + key
			}
			if err := uniqueIn(d, depth+1, at); err != nil {
				return err
			}
		}
		_, _ = d.Token() // }
	case json.Delim('['):
		for i := 0; d.More(); i++ {
			if err := uniqueIn(d, depth+1, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, _ = d.Token() // ]
	default:
		if v, ok := t.(string); ok && strings.ContainsRune(v, 0) {
			return nulAt(path)
		}
	}
	return nil
}

// nulAt refuses a body with a NUL in a string at path, an id as much as a
// note: no field takes one, and PostgreSQL refuses it only as an internal
// error. huma reports what a format refuses at "body"; the message names
// the field (nulField reads it back), when it may be repeated.
func nulAt(path string) error {
	if path == "" || !safeName.MatchString(path) {
		return errors.New(nulMessage)
	}
	return errors.New(path + ": " + nulMessage)
}

const nulMessage = "holds a control character (NUL)"

// nulField returns the field a body's NUL refusal names, "" for another
// message.
func nulField(msg string) string {
	field, ok := strings.CutSuffix(msg, ": "+nulMessage)
	if !ok || !safeName.MatchString(field) {
		return ""
	}
	return field
}

// noQuery refuses the parameters of query q, for a route that takes none.
func noQuery(q url.Values) error {
	if len(q) == 0 {
		return nil
	}
	fields := map[string]string{}
	for k := range q {
		fields[fieldOf("query."+k)] = "unknown query parameter"
	}
	return &gonghai.Error{Code: gonghai.EInvalid, Message: "this route takes no query parameters", Fields: fields}
}

// safeName matches a field or parameter name that may be repeated back in
// an error: it could be one of ours. Anything else a caller sent is not
// echoed.
var safeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\[\]-]{0,63}$`)

// fieldOf turns the location of an input error huma reports (body.login,
// query.limit) into the name a problem's fields are keyed by: the location
// without its prefix, or the prefix alone when the rest is no safe name.
func fieldOf(location string) string {
	for _, prefix := range []string{"body", "query", "path", "header"} {
		rest, ok := strings.CutPrefix(location, prefix+".")
		if !ok {
			continue
		}
		if safeName.MatchString(rest) {
			return rest
		}
		return prefix
	}
	return location
}

// plainText refuses a request whose path or query holds what no field takes
// (TextProblem: NUL and other control characters, characters that reorder
// text, bytes that are no UTF-8) as invalid, before anything reads it:
// PostgreSQL would refuse such an id or filter only as an internal error.
func (s *Server) plainText(ctx huma.Context, next func(huma.Context)) {
	u := ctx.URL()
	field := ""
	if gonghai.TextProblem(u.Path, false) != "" {
		field = "path"
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if gonghai.TextProblem(k, false) != "" || gonghai.TextProblem(v, false) != "" {
				field = fieldOf("query." + k)
			}
		}
	}
	if field != "" {
		s.writeErr(ctx, gonghai.Invalid(field, "holds a character no field takes: a control character, a text-reordering one or bytes that are no UTF-8"))
		return
	}
	next(ctx)
}
