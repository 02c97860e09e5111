package nightly

import (
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	for _, c := range []struct {
		now  time.Time
		hour int
		want time.Duration
	}{
		{time.Date(2026, 12, 4, 1, 30, 0, 0, wib), 2, 30 * time.Minute},
		{time.Date(2026, 12, 4, 2, 0, 0, 0, wib), 2, 24 * time.Hour},
		{time.Date(2026, 12, 4, 23, 0, 0, 0, wib), 1, 2 * time.Hour},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, wib), 0, time.Minute}, // across a year
	} {
		if got := Until(c.now, c.hour); got != c.want {
			t.Errorf("Until(%v, %d) = %s, want %s", c.now, c.hour, got, c.want)
		}
	}
}
