package tui

import (
	"strings"
	"testing"

	"github.com/loket-id/loket/queue"
)

// TestErasedRequest: a request whose personal part was erased (loket
// forget) shows as such in the queue, in the search results and in its
// detail, in both languages; a search that finds it, or a kiosk walk-in
// without a NIK, does not crash the screen.
func TestErasedRequest(t *testing.T) {
	for lang, want := range map[string]string{"en": "(personal data erased)", "id": "(data pribadi dihapus)"} {
		t.Run(lang, func(t *testing.T) {
			st := openStore(t)
			seed(t, st) // four requests of NIK 3201014107900001
			kioskWalkIn(t, st)
			e, err := st.Forget(bg, "3201014107900001", "permintaan pemohon", queue.Actor{Counter: "L1", Clerk: "Sari"})
			if err != nil || len(e.Requests) != 4 {
				t.Fatalf("forget: %+v %v", e, err)
			}
			m := loaded(t, newModel(t, st, lang), 100, 30)
			if view := m.View(); !strings.Contains(view, want) || strings.Contains(view, "Siti") {
				t.Errorf("queue:\n%s", view)
			}
			for _, k := range []string{"/", "A-003"} { // the kiosk's walk-in: no NIK
				step(t, m, press(k))
			}
			if len(m.search.reqs) != 1 || !strings.Contains(m.View(), "A-003") {
				t.Fatalf("search for the walk-in (%d results):\n%s", len(m.search.reqs), m.View())
			}
			m = loaded(t, newModel(t, st, lang), 100, 30)
			for _, k := range []string{"/", "A-001"} {
				step(t, m, press(k))
			}
			view := m.View()
			if len(m.search.reqs) != 1 || !strings.Contains(view, want) {
				t.Fatalf("search (%d results):\n%s", len(m.search.reqs), view)
			}
			step(t, m, press("enter"))
			if m.screen != screenDetail || !strings.Contains(m.View(), want) || strings.Contains(m.View(), "0001") {
				t.Errorf("detail:\n%s", m.View())
			}
		})
	}
}
