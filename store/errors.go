package store

import (
	"errors"

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
