package i18n_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// TestEveryKeyInEveryLanguage: a key in one language is in all, with a text.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	texts := i18n.Texts()
	if len(texts) != len(i18n.Langs) {
		t.Fatalf("%d tables for %d languages", len(texts), len(i18n.Langs))
	}
	for _, a := range i18n.Langs {
		for key, s := range texts[a] {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q is empty", a, key)
			}
			for _, b := range i18n.Langs {
				if _, ok := texts[b][key]; !ok {
					t.Errorf("key %q is in %s but not in %s", key, a, b)
				}
			}
		}
	}
}

// verbs lists the format verbs of a fmt format, each with the argument it
// takes ("1:s", "2:d"), sorted; %% takes none.
func verbs(format string) []string {
	var out []string
	arg := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		num := func() {
			if i < len(format) && format[i] == '[' {
				end := strings.IndexByte(format[i:], ']')
				if end > 0 {
					fmt.Sscan(format[i+1:i+end], &arg)
					i += end + 1
				}
			}
			if i < len(format) && format[i] == '*' {
				out = append(out, fmt.Sprintf("%d:*", arg))
				arg++
				i++
			}
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
		}
		num()
		if i < len(format) && format[i] == '.' {
			i++
			num()
		}
		if i >= len(format) {
			out = append(out, "dangling %")
			break
		}
		if format[i] == '%' {
			continue
		}
		out = append(out, fmt.Sprintf("%d:%c", arg, format[i]))
		arg++
	}
	slices.Sort(out)
	return out
}

func TestVerbs(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"plain", ""},
		{"%s dipanggil ke %s", "1:s 2:s"},
		{"%[2]s moved %[1]d", "1:d 2:s"},
		{"%.0f%% on target, %5d", "1:f 2:d"},
		{"100%%", ""},
		{"%*d", "1:* 2:d"},
		{"oops %", "dangling %"},
	} {
		if got := strings.Join(verbs(tc.format), " "); got != tc.want {
			t.Errorf("verbs(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

// TestSameVerbsInEveryLanguage: the languages' texts of a key take the same
// arguments, so one call serves both; and they begin and end with the same
// spaces, which screens lay out by.
func TestSameVerbsInEveryLanguage(t *testing.T) {
	texts := i18n.Texts()
	for key, id := range texts["id"] {
		for _, lang := range i18n.Langs[1:] {
			other, ok := texts[lang][key]
			if !ok {
				continue // TestEveryKeyInEveryLanguage
			}
			if a, b := verbs(id), verbs(other); !slices.Equal(a, b) {
				t.Errorf("%q: id takes %v, %s takes %v", key, a, lang, b)
			}
			if slices.Contains(verbs(id), "dangling %") {
				t.Errorf("%q: a %% with no verb: %q", key, id)
			}
			space := func(s string) (int, int) {
				return len(s) - len(strings.TrimLeft(s, " ")), len(s) - len(strings.TrimRight(s, " "))
			}
			l1, r1 := space(id)
			if l2, r2 := space(other); l1 != l2 || r1 != r2 {
				t.Errorf("%q: id and %s differ in leading or trailing spaces: %q, %q", key, lang, id, other)
			}
		}
	}
}

// families are the keys code builds from a prefix and a value ("status." +
// string(r.Status)), with every value the prefix is built with.
func families(t *testing.T, root string) map[string][]string {
	var statuses, prios, codes []string
	for _, s := range queue.Statuses {
		statuses = append(statuses, string(s))
	}
	for _, p := range queue.Priorities {
		prios = append(prios, string(p))
	}
	// The codes of queue.FieldError a clerk can meet, as package queue's
	// sources give them (invalidCode(field, "code", …) or a FieldError{…,
	// Code: "code"}): a walk-in's fields and the transitions. (The codes of
	// record.go check a whole request from an import or the central server:
	// the UI shows those with their reason, under err.invalid.)
	var srcs []string
	for _, name := range []string{"validate.go", "model.go", "request.go", "identify.go", "personal.go"} {
		srcs = append(srcs, filepath.Join(root, "queue", name))
	}
	// And the survey's answers (package skm), whose errors are FieldErrors too.
	srcs = append(srcs, filepath.Join(root, "skm", "answer.go"))
	// And the store's refusals of a survey answer (store/survey.go).
	srcs = append(srcs, filepath.Join(root, "store", "survey.go"))
	codeRe := regexp.MustCompile(`invalidCode\([^,]+, "([^"]+)"|FieldError\{[^}]*Code: "([^"]+)"`)
	for _, path := range srcs {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeRe.FindAllSubmatch(src, -1) {
			code := string(m[1]) + string(m[2])
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
	}
	// The actions (act.<queue.Action>) and the event types of a request's
	// history (event.<type without "request.">).
	var acts, events []string
	for _, a := range queue.Actions() {
		acts = append(acts, string(a))
	}
	for _, e := range queue.EventTypes() {
		if e != queue.EventCatalog { // not in a request's history
			events = append(events, strings.TrimPrefix(e, "request."))
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found %d FieldError codes in queue/validate.go: the pattern is wrong", len(codes))
	}
	var elems, cats []string
	for _, e := range skm.Elements {
		elems = append(elems, e.Code())
	}
	for _, c := range skm.Categories {
		cats = append(cats, string(c))
	}
	return map[string][]string{
		"skm.elem.":     elems,
		"skm.scale.":    skm.Scale,
		"skm.cat.":      cats,
		"skm.age.":      skm.AgeGroups,
		"skm.sex.":      skm.Sexes,
		"skm.edu.":      skm.Educations,
		"skm.job.":      skm.Occupations,
		"status.":       statuses,
		"prio.":         prios,
		"receipt.prio.": prios,
		"err.":          codes,
		"act.":          acts,
		"event.":        events,
	}
}

var (
	literalKey = regexp.MustCompile(`\.[SE]\(\s*"([^"\\]*)"\s*[,)]`)
	builtKey   = regexp.MustCompile(`\.[SE]\(\s*"([^"\\]*)"\s*\+`)
)

// TestEveryKeyUsedExistsAndEveryKeyIsUsed reads every Go source of the
// module (not tests) for lookups with a literal key, t.S("key") or
// t.E("key"), and with a key built from a literal prefix, t.S("status." +
// s). Every literal key must be in the catalog, every prefix one the test
// knows the values of, and every key in the catalog must be used.
func TestEveryKeyUsedExistsAndEveryKeyIsUsed(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	fams := families(t, root)
	texts := i18n.Texts()
	used := map[string]bool{}
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") ||
				path == filepath.Join(root, "i18n") { // whose comments show lookups

				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range literalKey.FindAllSubmatch(src, -1) {
			key := string(m[1])
			n++
			used[key] = true
			for _, lang := range i18n.Langs {
				if _, ok := texts[lang][key]; !ok {
					t.Errorf("%s looks up %q, which the %s catalog lacks", rel, key, lang)
				}
			}
		}
		for _, m := range builtKey.FindAllSubmatch(src, -1) {
			prefix := string(m[1])
			values, ok := fams[prefix]
			if !ok {
				t.Errorf("%s builds keys from %q: add the values it is built with to families in this test", rel, prefix)
			}
			for _, v := range values {
				used[prefix+v] = true
				for _, lang := range i18n.Langs {
					if _, ok := texts[lang][prefix+v]; !ok {
						t.Errorf("%s builds %q, which the %s catalog lacks", rel, prefix+v, lang)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 150 {
		t.Fatalf("found only %d lookups in the sources: the pattern is wrong", n)
	}
	var unused []string
	for key := range texts["id"] {
		if !used[key] {
			unused = append(unused, key)
		}
	}
	slices.Sort(unused)
	for _, key := range unused {
		t.Errorf("key %q is used nowhere (looked up with a variable? write the literal at the lookup)", key)
	}
}

func TestLookup(t *testing.T) {
	id, en := i18n.For("id"), i18n.For("en")
	for _, tc := range []struct {
		t    i18n.Text
		key  string
		args []any
		want string
	}{
		{id, "msg.called", []any{"A-001", "L1"}, "A-001 dipanggil ke L1"},
		{en, "msg.called", []any{"A-001", "L1"}, "A-001 called to L1"},
		{id, "receipt.title", nil, "TANDA TERIMA PENDAFTARAN"},
		{en, "report.title", nil, "QUEUE SERVICE REPORT"},
		{i18n.For("fr"), "screen.queue", nil, "Queue"},
		{i18n.For(""), "screen.queue", nil, "Queue"},
		{i18n.Text{}, "screen.queue", nil, "Queue"},
		{id, "no.such.key", nil, "no.such.key"},
		{id, "no.such.key", []any{1}, "no.such.key"},
	} {
		if got := tc.t.S(tc.key, tc.args...); got != tc.want {
			t.Errorf("%s S(%q, %v) = %q, want %q", tc.t.Lang(), tc.key, tc.args, got, tc.want)
		}
	}
	if got := i18n.For("fr").Lang(); got != "en" {
		t.Errorf("For(fr).Lang() = %q", got)
	}
	if !i18n.Supported("id") || !i18n.Supported("en") || i18n.Supported("fr") {
		t.Error("Supported is wrong")
	}
	base := errors.New("disk full")
	err := id.E("msg.error", base)
	if err.Error() != "Gagal: disk full" {
		t.Errorf("E = %q", err)
	}
	if errors.Is(err, base) {
		t.Errorf("E wrapped an argument its text formats with %%v, not %%w")
	}
}

func TestNamesAndDates(t *testing.T) {
	id, en := i18n.For("id"), i18n.For("en")
	fri := time.Date(2026, 12, 4, 9, 5, 0, 0, time.UTC)
	sun := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{id.Date(fri), "4 Desember 2026"},
		{en.Date(fri), "4 December 2026"},
		{id.LongDate(fri), "Jumat, 4 Desember 2026"},
		{en.LongDate(fri), "Friday, 4 December 2026"},
		{id.ShortDate(fri), "Jum 04 Des 2026"},
		{en.ShortDate(fri), "Fri 04 Dec 2026"},
		{id.ShortDate(sun), "Min 04 Jan 2026"},
		{id.MonthYear(fri), "Desember 2026"},
		{en.MonthYear(sun), "January 2026"},
		{id.Weekday(time.Sunday), "Minggu"},
		{id.Month(time.August), "Agustus"},
		{id.ShortMonth(time.August), "Agu"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// The English names are Go's own, so the forms match time.Format's.
	for d := range 400 {
		day := sun.AddDate(0, 0, d)
		if got, want := en.LongDate(day), day.Format("Monday, 2 January 2006"); got != want {
			t.Errorf("LongDate = %q, time.Format = %q", got, want)
		}
		if got, want := en.ShortDate(day), day.Format("Mon 02 Jan 2006"); got != want {
			t.Errorf("ShortDate = %q, time.Format = %q", got, want)
		}
	}
}

func TestDuration(t *testing.T) {
	id, en := i18n.For("id"), i18n.For("en")
	for _, tc := range []struct {
		d      time.Duration
		id, en string
	}{
		{0, "0 dtk", "0 s"},
		{45 * time.Second, "45 dtk", "45 s"},
		{59*time.Second + 600*time.Millisecond, "1 mnt", "1 min"},
		{12*time.Minute + 3*time.Second, "12 mnt", "12 min"},
		{12*time.Minute + 31*time.Second, "13 mnt", "13 min"},
		{time.Hour + 4*time.Minute, "1 j 4 mnt", "1 h 4 min"},
		{2 * time.Hour, "2 j", "2 h"},
		{26*time.Hour + 59*time.Minute + 40*time.Second, "27 j", "27 h"},
		{-90 * time.Second, "-2 mnt", "-2 min"},
		{math.MinInt64, "-2562047 j 47 mnt", "-2562047 h 47 min"},
	} {
		if got := id.Duration(tc.d); got != tc.id {
			t.Errorf("id Duration(%v) = %q, want %q", tc.d, got, tc.id)
		}
		if got := en.Duration(tc.d); got != tc.en {
			t.Errorf("en Duration(%v) = %q, want %q", tc.d, got, tc.en)
		}
	}
}

func TestCompactDurationAndRupiah(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{i18n.CompactDuration(0), "0s"},
		{i18n.CompactDuration(59.4), "59s"},
		{i18n.CompactDuration(59.5), "1m00s"},
		{i18n.CompactDuration(1541), "25m41s"},
		{i18n.CompactDuration(4470), "1h14m"},
		{i18n.CompactDuration(36000 + 61), "10h01m"},
		{i18n.Rupiah(0), "Rp 0"},
		{i18n.Rupiah(500), "Rp 500"},
		{i18n.Rupiah(150000), "Rp 150.000"},
		{i18n.Rupiah(1234567), "Rp 1.234.567"},
		{i18n.Rupiah(-5000), "-Rp 5.000"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestStandardLibraryOnly keeps the catalog pure: every program, the
// central server's and a hub's included, can use it (queue/deps_test.go
// checks the same for bbolt, gofpdf and net/http).
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if deps := strings.Fields(string(out)); !slices.Equal(deps, []string{"github.com/loket-id/loket/i18n"}) {
		t.Errorf("i18n depends on more than the standard library: %v", deps)
	}
	out, err = exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		if slices.Contains([]string{"os", "io", "io/fs", "net", "syscall"}, imp) {
			t.Errorf("i18n imports %s: it does no I/O", imp)
		}
	}
}

// TestPluralFree: no English text puts a count before a plural noun ("%d
// requests" reads "1 requests"); a count stands after a label or beside a
// word that does not change with it. Indonesian nouns do not change.
func TestPluralFree(t *testing.T) {
	plural := regexp.MustCompile(`%[-+# 0-9.]*d\s+\p{L}*[^s\P{L}]s\b`)
	for key, s := range i18n.Texts()["en"] {
		if m := plural.FindString(s); m != "" {
			t.Errorf("%q: %q counts a plural (%q): put the count after a label", key, s, m)
		}
	}
}
