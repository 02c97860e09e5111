//go:build !unix

package boltcheck

import (
	"os"
	"time"
)

// lockShared does nothing where flock does not exist: bbolt locks the file
// itself when it opens it.
func lockShared(*os.File, time.Duration) error { return nil }

func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) {}
