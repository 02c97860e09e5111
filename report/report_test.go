package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/stats"
)

func TestReportText(t *testing.T) {
	f := stats.Figures{From: "2026-11-01", To: "2026-11-30", BusiestHour: 10,
		Counts: stats.Counts{Arrivals: 7192, Served: 6800, NoShow: 301, Cancelled: 70, Transferred: 99, Waiting: 21,
			WaitSeconds: stats.Dist{Avg: 1541, P50: 932, P90: 4470}, ServiceSeconds: stats.Dist{Avg: 725, P50: 603, P90: 1374}, WithinTargetRatio: 0.54},
		ByService: []stats.Service{{Service: "A", Counts: stats.Counts{Arrivals: 2100, Served: 2000, WithinTargetRatio: 0.56}}},
		ByCounter: []stats.Group{{Key: "L1", Counts: stats.Counts{Arrivals: 700}}},
		ByDay:     []stats.Group{{Key: "2026-11-02", Counts: stats.Counts{Arrivals: 400}}, {Key: "2026-11-03", Counts: stats.Counts{Arrivals: 380}}},
	}
	f.ByHour = make([]stats.HourCount, 24)
	for h := range f.ByHour {
		f.ByHour[h] = stats.HourCount{Hour: h}
	}
	f.ByHour[10].Arrivals = 1615
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"id", []string{"DPMPTSP Kota Bandung", "LAPORAN PELAYANAN ANTREAN", "Periode: November 2026", "7192", "6800", "301",
			"Bantuan Perizinan Berusaha", "25m41s", "15m32s", "1h14m", "54%", "10:00 (1615)", "Per layanan", "Per loket", "Per hari", "Kedatangan per hari"}},
		{"en", []string{"QUEUE SERVICE REPORT", "Period: November 2026", "Arrivals", "No-shows", "Called within target", "By service"}},
	} {
		var buf bytes.Buffer
		err := Render(&buf, Data{Office: "DPMPTSP Kota Bandung", Lang: tc.lang, Period: "November 2026", Figures: f,
			Services: map[string]string{"A": "Bantuan Perizinan Berusaha (NIB/OSS)"}, PerDay: true, Made: time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("WIB", 7*3600))})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s report lacks %q:\n%s", tc.lang, w, text)
			}
		}
	}
}
