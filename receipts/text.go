package receipts

import (
	"time"

	"github.com/loket-id/loket/i18n"
)

// The receipt's texts are package i18n's, under receipt.*.

// formatFee is a fee in rupiah as Indonesians write it, "Rp 150.000", or
// the words for free of charge when it is 0.
func formatFee(t i18n.Text, rupiah int64) string {
	if rupiah <= 0 {
		return t.S("receipt.free")
	}
	return i18n.Rupiah(rupiah)
}

// Lapor is SP4N-LAPOR!, the national public-service complaint channel
// (Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional) that every
// receipt names beside the office's own.
const Lapor = "lapor.go.id"

// DueDate is the day a request is expected to be finished: sla working days
// after from, skipping Saturdays, Sundays and the holidays (YYYY-MM-DD). An
// SLA of 0 is the same day.
func DueDate(from time.Time, sla int, holidays []string) time.Time {
	off := map[string]bool{}
	for _, h := range holidays {
		off[h] = true
	}
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, from.Location())
	for added := 0; added < sla; {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || off[day.Format(time.DateOnly)] {
			continue
		}
		added++
	}
	return day
}
