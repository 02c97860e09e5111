package store

import (
	"bufio"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// documentedLayout reads the drawing in buckets.go: the top-level buckets,
// the literal keys drawn under meta, and the one-letter prefixes under idx.
func documentedLayout(t *testing.T) (buckets, meta, idx, optional []string) {
	t.Helper()
	f, err := os.Open("buckets.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//\t")
		if !ok {
			continue
		}
		item, ok := strings.CutPrefix(line, "├── ")
		if !ok {
			item, ok = strings.CutPrefix(line, "└── ")
		}
		if ok {
			name := strings.Fields(item)[0]
			if strings.Contains(item, "(when") {
				optional = append(optional, name)
			}
			switch cur {
			case "meta":
				meta = append(meta, name)
			case "idx":
				idx = append(idx, name[:1])
			}
			continue
		}
		cur = strings.Fields(line)[0]
		buckets = append(buckets, cur)
	}
	return buckets, meta, idx, optional
}

// TestLayoutIsDocumented works a fresh database (registrations, a keyed
// action, a sync acknowledged, a catalog adopted, a counter and a device) and compares every bucket,
// meta key and index prefix it holds with the drawing in buckets.go.
func TestLayoutIsDocumented(t *testing.T) {
	s, _ := openTest(t)
	r := mustRegister(t, s, walkIn("A", "Siti Aminah"))
	// One of yesterday, written after the fact: its search keys go to their
	// places at once (today's are in the journal).
	late := walkIn("C", "Dewi Lestari")
	late.At = time.Date(2026, 11, 26, 9, 0, 0, 0, jakarta)
	mustRegister(t, s, late)
	mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Budi", NIK: "3201014107900001", Priority: queue.PriorityElderly})
	if _, _, err := s.ActOnce(ctx, "01KB0000000000000000000000", r.ID, queue.ActCall, "", clerk); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.SetSynced(1, time.Now()); err != nil {
			return err
		}
		_, err := tx.AdoptCatalog(2, queue.DefaultCatalog(), clerk, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L2", Name: "Loket 2"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddDevice(ctx, "K1", RoleKiosk); err != nil {
		t.Fatal(err)
	}
	var buckets, meta, idx []string
	if err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			buckets = append(buckets, string(name))
			switch string(name) {
			case "meta":
				return b.ForEach(func(k, _ []byte) error { meta = append(meta, string(k)); return nil })
			case "idx":
				return b.ForEach(func(k, _ []byte) error {
					if !slices.Contains(idx, string(k[:1])) {
						idx = append(idx, string(k[:1]))
					}
					return nil
				})
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	docB, docM, docI, optional := documentedLayout(t)
	docM = slices.DeleteFunc(docM, func(k string) bool { return slices.Contains(optional, k) && !slices.Contains(meta, k) })
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"buckets", buckets, docB}, {"meta keys", meta, docM}, {"idx prefixes", idx, docI}} {
		sort.Strings(c.got)
		sort.Strings(c.want)
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: the file holds %q, buckets.go draws %q", c.what, c.got, c.want)
		}
	}
}
