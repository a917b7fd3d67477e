package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit, on SQLite: claims that arrive together share one durable
// commit. SQLite has one writer, and each commit waits for the disk
// (synchronous=FULL); in a storm the claims queue behind one another's
// fsync. Instead one goroutine takes every claim waiting, runs each in a
// savepoint of one transaction, in arrival order, and commits once: each
// claim still makes its own conditional write and event, a refused one
// rolls back to its savepoint and leaves nothing, and nobody is answered
// before the commit is durable. While one group commits, the next gathers.

// maxGroup bounds the claims one commit carries, so that a group's
// transaction stays short.
const maxGroup = 256

// groupReq is one transaction's work waiting for a group.
type groupReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, c conn) error
	done chan error
}

// alone runs the request in a transaction of its own.
func (r *groupReq) alone(db *DB) error {
	return db.inTx(r.ctx, func(c conn) error { return r.fn(r.ctx, c) })
}

// committer gathers groups for one SQLite database.
type committer struct {
	reqs    chan *groupReq
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
}

func (db *DB) startCommitter() {
	db.group = &committer{reqs: make(chan *groupReq, maxGroup), stop: make(chan struct{}), done: make(chan struct{})}
	go db.commitGroups()
}

// stopCommitter ends the committer once the group it runs is answered.
func (db *DB) stopCommitter() {
	if db.group != nil {
		db.group.stopped.Do(func() { close(db.group.stop) })
		<-db.group.done
	}
}

// inGroupTx runs fn as inTx does, in a group's transaction on SQLite: fn
// may run in a transaction that also holds other callers' work, before and
// after its own, so it must not keep state outside the transaction, as for
// inTx, and its writes become durable with the whole group's. fn runs its
// statements with the ctx it is given: once it has started, the caller
// going away does not interrupt it, as that would undo the whole group.
func (db *DB) inGroupTx(ctx context.Context, fn func(ctx context.Context, c conn) error) error {
	req := &groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if db.group == nil {
		return req.alone(db)
	}
	select {
	case db.group.reqs <- req:
	case <-db.group.stop:
		return errors.New("the database is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the answer is awaited whatever the caller's context:
	// the work may commit, and the caller must not be told otherwise.
	return <-req.done
}

func (db *DB) commitGroups() {
	defer close(db.group.done)
	for {
		var first *groupReq
		select {
		case first = <-db.group.reqs:
		case <-db.group.stop:
			// Answer what is still queued; no new work arrives.
			for {
				select {
				case r := <-db.group.reqs:
					r.done <- errors.New("the database is closed")
				default:
					return
				}
			}
		}
		batch := []*groupReq{first}
	gather:
		for len(batch) < maxGroup {
			select {
			case r := <-db.group.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		db.commitGroup(batch)
	}
}

// commitGroup runs a batch in one transaction, each request in a
// savepoint, commits, and answers each. Should the group's transaction
// fail as a whole, every request runs again alone: what one was answered
// may have depended on another's work that was undone.
func (db *DB) commitGroup(batch []*groupReq) {
	errs := make([]error, len(batch))
	err := db.tryGroup(batch, errs)
	for i, r := range batch {
		if err != nil {
			errs[i] = r.alone(db)
		}
		r.done <- errs[i]
	}
}

func (db *DB) tryGroup(batch []*groupReq, errs []error) error {
	// The group's own context: one caller going away must not interrupt
	// the statements of the others, which SQLite would do by rolling back
	// the whole transaction.
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	c := conn{q: tx, dialect: db.dialect, keys: db.keys}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// Gone before its turn: nothing of it is done.
			errs[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT grouped`); err != nil {
			return errors.Join(err, ignoreDone(tx.Rollback()))
		}
		errs[i] = r.fn(context.WithoutCancel(r.ctx), c)
		undo := []string{`RELEASE grouped`}
		if errs[i] != nil {
			undo = []string{`ROLLBACK TO grouped`, `RELEASE grouped`}
		}
		for _, q := range undo {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				// The transaction is in no state to go on.
				return errors.Join(err, ignoreDone(tx.Rollback()))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}
