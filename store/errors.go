package store

import (
	"errors"
	"fmt"

	"github.com/loket-id/loket/internal/boltcheck"
)

// Errors of the file itself, to be matched with errors.Is. The queue's own
// errors (invalid input, not found, nobody waiting, conflict) are package
// queue's.
var (
	// ErrLocked is a database held by another process.
	ErrLocked = boltcheck.ErrLocked
	// ErrNewerSchema is a database written by a newer version of Loket.
	ErrNewerSchema = errors.New("database was written by a newer version of loket")
	// ErrDamaged is a database file whose structure is broken (Open
	// refuses it), or one that Check found problems in (writes are refused
	// until a Check finds none).
	ErrDamaged = boltcheck.ErrDamaged
)

// damaged is a record that bbolt read back but that does not decode: the
// file is damaged in a way its structure check cannot see. The error names
// the file and says what to do, and matches ErrDamaged.
func (tx *Tx) damaged(what string, err error) error {
	return fmt.Errorf("%s is damaged: %s (%v); run loket check on it and restore it from a backup: %w", tx.s.path, what, err, ErrDamaged)
}
