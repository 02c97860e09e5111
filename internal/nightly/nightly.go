// Package nightly is the one answer to "how long until tonight's run": the
// hub's nightly purge and the central server's housekeeping both wait for
// an hour of the night in their office's zone.
package nightly

import "time"

// Until is the wait from now to the next hour:00 of now's zone (a whole day
// when it is that moment now).
func Until(now time.Time, hour int) time.Duration {
	y, m, d := now.Date()
	next := time.Date(y, m, d, hour, 0, 0, 0, now.Location())
	if !next.After(now) {
		next = time.Date(y, m, d+1, hour, 0, 0, 0, now.Location())
	}
	return next.Sub(now)
}
