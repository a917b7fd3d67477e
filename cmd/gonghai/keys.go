package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	conf "github.com/gonghai/gonghai/internal/config"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

// fieldKeys are the keys that seal personal fields, and where they came
// from.
type fieldKeys struct {
	*vault.Vault
	file    string // the key file; "" when the keys come from GONGHAI_KEYS
	created bool   // this run made the key file
}

// source names where the keys came from, for messages.
func (k fieldKeys) source() string {
	if k.file == "" {
		return "GONGHAI_KEYS"
	}
	return "the key file " + k.file
}

// keys returns the field keys: GONGHAI_KEYS, else the key file, which is
// created with fresh keys when it does not exist yet. open removes a file
// made here again when the database turns out to hold sealed data.
func (e *environment) keys(cfg *conf.Config) (fieldKeys, error) {
	if cfg.Keys != "" {
		v, err := vault.New(cfg.Keys)
		if err != nil {
			return fieldKeys{}, fmt.Errorf("GONGHAI_KEYS: %w", err)
		}
		return fieldKeys{Vault: v}, nil
	}
	k := fieldKeys{file: cfg.KeyFilePath()}
	if k.file == "" {
		return k, errors.New("keys: set GONGHAI_KEYS or GONGHAI_KEY_FILE (see docs/security.md)")
	}
	var err error
	k.Vault, err = vault.Load(k.file)
	if errors.Is(err, fs.ErrNotExist) {
		k.Vault, err = vault.Create(k.file)
		k.created = err == nil
		if errors.Is(err, fs.ErrExist) { // another gonghai made it meanwhile
			k.Vault, err = vault.Load(k.file)
		}
	}
	return k, err
}

// keysCommand runs `gonghai keys rotate|new|prune`.
func (e *environment) keysCommand(ctx context.Context, args []string) error {
	return e.dispatch(ctx, "keys", args, subcommand{"rotate", e.keysRotate},
		subcommand{"new", func(_ context.Context, args []string) error { return e.keysNew(args) }},
		subcommand{"prune", e.keysPrune})
}

// keyJob is what rotate and prune start from: the key file's lock, so
// that two commands that rewrite the file never derive two different lists
// from one; the database, opened with the keys; and how many customers
// each key seals. The system drops the lock if the command is killed.
type keyJob struct {
	db     *store.DB
	keys   fieldKeys
	use    map[string]int
	unlock func()
}

// startKeyJob locks, opens and counts; check, if set, may refuse the keys
// before they are counted.
func (e *environment) startKeyJob(ctx context.Context, cfg *conf.Config, check func(fieldKeys) error) (*keyJob, error) {
	j := &keyJob{unlock: func() {}}
	if file := cfg.KeyFilePath(); cfg.Keys == "" && file != "" {
		unlock, err := vault.Lock(file)
		if err != nil {
			return nil, err
		}
		j.unlock = unlock
	}
	var err error
	if j.db, j.keys, err = e.openKeys(ctx, cfg, false); err == nil && check != nil {
		err = check(j.keys)
	}
	if err == nil {
		j.use, err = j.db.KeyUse(ctx)
	}
	if err != nil {
		j.end()
		return nil, err
	}
	return j, nil
}

func (j *keyJob) end() {
	if j.db != nil {
		j.db.Close()
	}
	j.unlock()
}

// keysRotate seals every customer with a new primary key. With a key file
// it adds the key to the file, unless an earlier run already did and was
// stopped before it finished: then it only finishes that run. With
// GONGHAI_KEYS, which it cannot change, it seals with the primary of the
// list it was given. Killed at any point and run again, it finishes, and
// every value still opens: the file is replaced whole, the old keys stay
// in it, and each batch of rows commits whole.
func (e *environment) keysRotate(ctx context.Context, args []string) error {
	fs := e.flagSet("keys rotate")
	batch := fs.Int("batch", 500, "customers re-sealed per transaction")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys rotate: unexpected argument %q", fs.Arg(0))
	}
	if *batch < 1 {
		return fmt.Errorf("keys rotate: --batch %d: want 1 or more", *batch)
	}
	job, err := e.startKeyJob(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer job.end()
	db, keys, use := job.db, job.keys, job.use
	behind, total := 0, 0
	for id, n := range use {
		total += n
		if id != keys.Primary() {
			behind += n
		}
	}
	switch {
	case behind > 0:
		fmt.Fprintf(e.stdout, "%d of %d customers are not sealed with the primary key %s of %s yet: re-sealing them\n",
			behind, total, keys.Primary(), keys.source())
	case keys.file == "":
		fmt.Fprintf(e.stdout, "every customer is sealed with %s, the primary key of GONGHAI_KEYS: nothing to do.\n"+
			"To rotate: run `gonghai keys new`, put the list it prints into GONGHAI_KEYS on every node, restart them,\n"+
			"then run `gonghai keys rotate` again with the new list.\n", keys.Primary())
		return nil
	default:
		list, id, err := crypt.WithNewPrimary(keys.List())
		if err != nil {
			return err
		}
		if err := vault.Replace(keys.file, list); err != nil {
			return err
		}
		if err := keys.Reload(); err != nil {
			return err
		}
		if keys.Primary() != id {
			return fmt.Errorf("keys rotate: wrote %s with the primary key %s, read back %s", keys.file, id, keys.Primary())
		}
		behind = total
		fmt.Fprintf(e.stdout, "new primary key %s in %s (the older keys stay in it): back the file up now\n", id, keys.file)
	}
	start, shown := time.Now(), -1
	n, err := db.RotateKeys(ctx, *batch, func(done int) {
		// A line per percent: enough to see it move, few enough for
		// millions of rows.
		if pct := min(100, done*100/max(behind, 1)); pct != shown {
			shown = pct
			fmt.Fprintf(e.stdout, "re-sealed %d of %d (%d%%)\n", done, behind, pct)
		}
	})
	if err != nil {
		return fmt.Errorf("keys rotate: stopped after re-sealing %d customers; run it again to finish: %w", n, err)
	}
	if use, err = db.KeyUse(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "done: re-sealed %d customers with key %s in %s\ncustomers per key: %s\n",
		n, keys.Primary(), time.Since(start).Round(time.Millisecond), describeUse(use))
	if left := total - use[keys.Primary()]; left > 0 {
		// A server that had not seen the new key yet wrote these.
		fmt.Fprintf(e.stdout, "%d customers were written meanwhile under an older key: run `gonghai keys rotate` again in a few seconds\n", left)
	} else if unused := unusedKeys(keys.List(), use); len(unused) > 0 {
		fmt.Fprintf(e.stdout, "keys no customer uses any more, kept in %s: %s (`gonghai keys prune` removes them)\n",
			keys.source(), strings.Join(unused, ", "))
	}
	return nil
}

// describeUse prints KeyUse as "k2 1200, k1 3".
func describeUse(use map[string]int) string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(use)) {
		name := id
		if id == "" {
			name = "not sealed yet"
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, use[id]))
	}
	if len(parts) == 0 {
		return "no customers"
	}
	return strings.Join(parts, ", ")
}

// keyEntries splits a key list into its index entry and its sealing
// entries, the primary first.
func keyEntries(list string) (index string, sealing []string) {
	for _, e := range strings.Split(strings.TrimSpace(list), ",") {
		if e = strings.TrimSpace(e); strings.HasPrefix(e, crypt.IndexKeyID+":") {
			index = e
		} else {
			sealing = append(sealing, e)
		}
	}
	return index, sealing
}

func entryID(entry string) string {
	id, _, _ := strings.Cut(entry, ":")
	return id
}

// unusedKeys lists the sealing keys of list other than the primary that
// seal no customer.
func unusedKeys(list string, use map[string]int) []string {
	var out []string
	_, sealing := keyEntries(list)
	for _, e := range sealing[1:] {
		if use[entryID(e)] == 0 {
			out = append(out, entryID(e))
		}
	}
	return out
}

// keysNew prints the key list with a new sealing key, for GONGHAI_KEYS:
// the new primary, or with --standby a key every node learns before any
// node seals with it. It changes nothing.
func (e *environment) keysNew(args []string) error {
	fs := e.flagSet("keys new")
	standby := fs.Bool("standby", false, "add the key behind the primary: nodes learn it before any seals with it")
	promote := fs.String("promote", "", "add no key: make this key of the list the primary")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys new: unexpected argument %q", fs.Arg(0))
	}
	list := cfg.Keys
	if list == "" {
		file := cfg.KeyFilePath()
		if file == "" {
			return errors.New("keys new: set GONGHAI_KEYS or GONGHAI_KEY_FILE")
		}
		v, err := vault.Load(file) // never a new file: that would be new keys, not the current ones
		if err != nil {
			return err
		}
		list = v.List()
	}
	if _, err := crypt.Parse(list); err != nil {
		return err
	}
	var id string
	index, sealing := keyEntries(list)
	switch {
	case *promote != "" && *standby:
		return errors.New("keys new: --standby or --promote, not both")
	case *promote != "":
		id = *promote
		at := slices.IndexFunc(sealing, func(e string) bool { return entryID(e) == id })
		if at < 0 {
			return fmt.Errorf("keys new: the list has no sealing key %q", id)
		}
		primary := sealing[at]
		sealing = append([]string{primary}, slices.Delete(sealing, at, at+1)...)
	default:
		added, newID, err := crypt.WithNewPrimary(list)
		if err != nil {
			return err
		}
		id = newID
		index, sealing = keyEntries(added)
		if *standby {
			sealing = append(sealing[1:], sealing[0])
		}
	}
	out := index + "," + strings.Join(sealing, ",")
	if _, err := crypt.Parse(out); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	switch {
	case *standby:
		fmt.Fprintf(e.stderr, "key %s added behind the primary %s: put this list into GONGHAI_KEYS on every node and restart them;\n"+
			"then `gonghai keys new --promote %s`, roll that out, and run `gonghai keys rotate`\n", id, entryID(sealing[0]), id)
	default:
		fmt.Fprintf(e.stderr, "key %s is the primary of this list: put it into GONGHAI_KEYS on every node, restart them,\n"+
			"then run `gonghai keys rotate` with it; keep the list: without it personal fields cannot be read\n", id)
	}
	return nil
}

// keysPrune removes from the key list the sealing keys no customer uses
// any more: from the key file, or for GONGHAI_KEYS it prints the shorter
// list. It keeps every key a customer still uses, and the primary.
func (e *environment) keysPrune(ctx context.Context, args []string) error {
	fs := e.flagSet("keys prune")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys prune: unexpected argument %q", fs.Arg(0))
	}
	job, err := e.startKeyJob(ctx, cfg, settled)
	if err != nil {
		return err
	}
	defer job.end()
	keys, use := job.keys, job.use
	list := keys.List()
	drop := unusedKeys(list, use)
	index, sealing := keyEntries(list)
	kept := slices.DeleteFunc(sealing, func(e string) bool { return slices.Contains(drop, entryID(e)) })
	pruned := index + "," + strings.Join(kept, ",")
	if keys.file == "" {
		fmt.Fprintln(e.stdout, pruned)
		fmt.Fprintf(e.stderr, "removed %s; customers per key: %s\n", orNone(drop), describeUse(use))
		return nil
	}
	if len(drop) > 0 {
		if err := vault.Replace(keys.file, pruned); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "removed %s from %s; customers per key: %s\n", orNone(drop), keys.file, describeUse(use))
	return nil
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "no key"
	}
	return "key " + strings.Join(ids, ", ")
}

// settleTime is how long after a key file changed servers that follow it
// may still seal with its previous primary (vault.ReloadInterval, with a
// margin): prune waits it out, or a value sealed meanwhile under a key it
// removes would never open again.
const settleTime = 3 * vault.ReloadInterval

func settled(keys fieldKeys) error {
	if keys.file == "" {
		return nil // GONGHAI_KEYS: prune only prints a list
	}
	info, err := os.Stat(keys.file)
	if err != nil {
		return err
	}
	if age := time.Since(info.ModTime()); age < settleTime {
		return fmt.Errorf("keys prune: %s changed %s ago; servers may still seal with its previous primary key: try again in %s",
			keys.file, age.Round(time.Second), (settleTime - age).Round(time.Second))
	}
	return nil
}

// checkKeys refuses keys that do not open the personal fields the
// database holds.
func checkKeys(ctx context.Context, db *store.DB, keys fieldKeys) error {
	err := db.CheckKeys(ctx)
	if !errors.Is(err, crypt.ErrOpen) {
		return err
	}
	if keys.created {
		return fmt.Errorf("the key file %s is missing but the database holds sealed data: restore the key file from your backup "+
			"(or set GONGHAI_KEYS); no new key file was made (docs/security.md): %w", keys.file, err)
	}
	return fmt.Errorf("%s does not open the personal fields in the database: wrong or lost keys? "+
		"Restore them from your backup (docs/security.md): %w", keys.source(), err)
}
