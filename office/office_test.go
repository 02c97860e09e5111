package office_test

import (
	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/store"
)

// The counter's own database is one implementation of the office's queue.
var _ office.Queue = (*store.Store)(nil)
