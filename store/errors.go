package store

import "errors"

// Errors of the file itself, to be matched with errors.Is. The queue's own
// errors (invalid input, not found, nobody waiting, conflict) are package
// queue's.
var (
	// ErrLocked is a database held by another process.
	ErrLocked = errors.New("database is locked by another process")
	// ErrNewerSchema is a database written by a newer version of Loket.
	ErrNewerSchema = errors.New("database was written by a newer version of loket")
)
