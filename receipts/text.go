package receipts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var catalog = map[string]map[string]string{
	"id": {
		"title":          "TANDA TERIMA PENDAFTARAN",
		"ticket":         "Nomor antrean",
		"date":           "Tanggal",
		"counter":        "Loket/Petugas",
		"name":           "Nama",
		"phone":          "No. HP",
		"priority":       "Prioritas",
		"due":            "Perkiraan selesai",
		"tracking":       "Kode lacak",
		"scan":           "Pindai untuk melacak permohonan Anda",
		"documents":      "Dokumen persyaratan",
		"doc.no":         "No.",
		"doc.name":       "Dokumen",
		"doc.received":   "Diterima",
		"doc.legend":     "X = diterima petugas; kotak kosong = belum diterima, harap dilengkapi.",
		"fee":            "Biaya",
		"free":           "Tidak dipungut biaya",
		"service":        "Layanan",
		"sign.officer":   "Petugas",
		"sign.applicant": "Pemohon",
		"complaints":     "Layanan pengaduan",
		"lapor":          "SP4N-LAPOR!",
		"tel":            "Telepon",
		"whatsapp":       "WhatsApp",
		"hours":          "Jam layanan",
		"website":        "Situs web",
		"keep":           "Simpan tanda terima ini. Tunjukkan kode lacak untuk menanyakan atau mengambil hasil permohonan Anda.",
		"prio.elderly":   "Lansia",
		"prio.disabled":  "Penyandang disabilitas",
		"prio.pregnant":  "Ibu hamil",
		"prio.child":     "Membawa balita",
		"report.failure": "gagal mencetak",
	},
	"en": {
		"title":          "REGISTRATION RECEIPT",
		"ticket":         "Queue number",
		"date":           "Date",
		"counter":        "Counter/clerk",
		"name":           "Name",
		"phone":          "Mobile",
		"priority":       "Priority",
		"due":            "Expected by",
		"tracking":       "Tracking code",
		"scan":           "Scan to track your request",
		"documents":      "Required documents",
		"doc.no":         "No.",
		"doc.name":       "Document",
		"doc.received":   "Received",
		"doc.legend":     "X = received by the officer; empty box = not received yet, please bring it.",
		"fee":            "Fee",
		"free":           "Free of charge",
		"service":        "Service",
		"sign.officer":   "Officer",
		"sign.applicant": "Applicant",
		"complaints":     "Complaints",
		"lapor":          "SP4N-LAPOR!",
		"tel":            "Phone",
		"whatsapp":       "WhatsApp",
		"hours":          "Opening hours",
		"website":        "Website",
		"keep":           "Keep this receipt. Show the tracking code to ask about or collect the result of your request.",
		"prio.elderly":   "Elderly",
		"prio.disabled":  "Person with a disability",
		"prio.pregnant":  "Pregnant",
		"prio.child":     "With a small child",
		"report.failure": "print failed",
	},
}

func texts(lang string) map[string]string {
	if t, ok := catalog[lang]; ok {
		return t
	}
	return catalog["en"]
}

var (
	daysID   = []string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	monthsID = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

func formatDate(lang string, t time.Time) string {
	if lang == "id" {
		return fmt.Sprintf("%s, %d %s %d", daysID[t.Weekday()], t.Day(), monthsID[t.Month()-1], t.Year())
	}
	return t.Format("Monday, 2 January 2006")
}

// formatDay is a date without the day of the week: "27 November 2026".
func formatDay(lang string, t time.Time) string {
	if lang == "id" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsID[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}

// formatFee is a fee in rupiah as Indonesians write it, "Rp 150.000", or
// the words for free of charge when it is 0.
func formatFee(t map[string]string, rupiah int64) string {
	if rupiah <= 0 {
		return t["free"]
	}
	digits := strconv.FormatInt(rupiah, 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return "Rp " + b.String()
}

func formatDateTime(lang string, t time.Time) string {
	return formatDate(lang, t) + " " + t.Format("15:04")
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
