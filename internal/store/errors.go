package store

import (
	"database/sql"
	"errors"

	"github.com/gonghai/gonghai"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errUnique marks a unique-constraint violation; callers turn it into the
// conflict their resource means (login taken, name taken …).
var errUnique = errors.New("unique constraint violated")

// errForeignKey marks a reference to a row that does not exist.
var errForeignKey = errors.New("foreign key violated")

// mapErr translates driver errors by code, never by message.
func mapErr(err error) error {
	var pe *pgconn.PgError
	var se *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return err
	case errors.As(err, &pe):
		switch pe.Code {
		case "23505":
			return errors.Join(errUnique, err)
		case "23503":
			return errors.Join(errForeignKey, err)
		}
	case errors.As(err, &se):
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errors.Join(errUnique, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errors.Join(errForeignKey, err)
		}
	}
	return err
}

// retryable reports whether PostgreSQL aborted the transaction to resolve a
// deadlock (40P01) or a serialisation failure (40001): running it again is
// safe and usually succeeds.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// notFound turns sql.ErrNoRows into a gonghai not_found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return gonghai.Errorf(gonghai.ENotFound, "no such %s", what)
	}
	return err
}

// isUnique reports whether a mapped error is a unique violation.
func isUnique(err error) bool { return errors.Is(err, errUnique) }

// errorsIs is errors.Is after mapping driver errors.
func errorsIs(err, target error) bool { return errors.Is(mapErr(err), target) }

// withField adds a field's problem to err, an invalid-input error naming
// fields, or makes one with message when err is nil: what the store finds
// in the database joins what the root package found in the input.
func withField(err error, message, field, problem string) error {
	var e *gonghai.Error
	if err == nil {
		return &gonghai.Error{Code: gonghai.EInvalid, Message: message, Fields: map[string]string{field: problem}}
	}
	if errors.As(err, &e) && e.Code == gonghai.EInvalid && e.Fields != nil {
		e.Fields[field] = problem
	}
	return err
}
