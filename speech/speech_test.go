package speech

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/loket-id/loket/speech/internal/clipset"
	"github.com/loket-id/loket/speech/internal/wav"
)

// testFolder writes a clip folder in which every clip is a constant tone of
// its own level and its own length, so an assembled call shows which clip
// is where. It returns the folder and each level's file.
func testFolder(t *testing.T, rate int, langs ...string) (string, map[int16]string) {
	t.Helper()
	dir := t.TempDir()
	files := []string{"chime.wav"}
	for _, l := range langs {
		if err := os.Mkdir(filepath.Join(dir, l), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range clipset.Clips(l) {
			files = append(files, l+"/"+c.Name+".wav")
		}
	}
	byLevel := map[int16]string{}
	for i, f := range files {
		level := int16(100 * (i + 1))
		s := make([]int16, rate*(10+i)/1000)
		for j := range s {
			s[j] = level
		}
		byLevel[level] = f
		if err := os.WriteFile(filepath.Join(dir, f), wav.Encode(rate, s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, byLevel
}

// checkHeader checks a call's RIFF header against its length and returns
// its samples.
func checkHeader(t *testing.T, b []byte, rate int) []int16 {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < wav.HeaderSize || string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("not a canonical WAV header: % x", b[:min(len(b), 44)])
	}
	if got := int(le.Uint32(b[4:8])); got != len(b)-8 {
		t.Errorf("RIFF size %d, file is %d bytes (want %d)", got, len(b), len(b)-8)
	}
	if got := int(le.Uint32(b[40:44])); got != len(b)-wav.HeaderSize {
		t.Errorf("data size %d, want %d", got, len(b)-wav.HeaderSize)
	}
	fields := []struct {
		name      string
		got, want int
	}{
		{"fmt size", int(le.Uint32(b[16:20])), 16},
		{"format", int(le.Uint16(b[20:22])), 1},
		{"channels", int(le.Uint16(b[22:24])), 1},
		{"rate", int(le.Uint32(b[24:28])), rate},
		{"byte rate", int(le.Uint32(b[28:32])), 2 * rate},
		{"block align", int(le.Uint16(b[32:34])), 2},
		{"bits", int(le.Uint16(b[34:36])), 16},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("header %s = %d, want %d", f.name, f.got, f.want)
		}
	}
	if len(b)%2 != 0 {
		t.Errorf("odd length %d", len(b))
	}
	f, data, err := wav.Parse(b)
	if err != nil || f.Rate != rate || len(data) != len(b)-wav.HeaderSize {
		t.Fatalf("Parse = %v, %d bytes, %v", f, len(data), err)
	}
	return wav.Samples(data)
}

type run struct {
	level       int16
	start, size int // in samples
}

func runs(s []int16) []run {
	var out []run
	for i := 0; i < len(s); {
		if s[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		out = append(out, run{s[i], i, j - i})
		i = j
	}
	return out
}

// The clips appear in the order Clips gives, whole, with the pauses
// between them that the package promises, and the header is right.
func TestCallClipOrder(t *testing.T) {
	const rate = 8000
	dir, byLevel := testFolder(t, rate, "id", "en")
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ms := func(m int) int { return rate * m / 1000 }
	for _, tc := range []struct {
		lang, ticket, counter string
		chime                 bool
	}{
		{"id", "A-007", "L2", true},
		{"id", "A-007", "L12", false},
		{"en", "B-1234", "Counter 115", true},
		{"en", "AB-100", "CS", false},
	} {
		name := fmt.Sprintf("%s %s %s chime=%v", tc.lang, tc.ticket, tc.counter, tc.chime)
		b, err := a.Call(tc.lang, tc.ticket, tc.counter, tc.chime)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		samples := checkHeader(t, b, rate)
		want, _ := Clips(tc.lang, tc.ticket, tc.counter, tc.chime)
		s, _ := parse(tc.lang, tc.ticket, tc.counter)
		// The gap before each clip: lead, after the chime, between items,
		// within an item.
		var gaps []int
		if tc.chime {
			gaps = append(gaps, ms(leadMs))
		}
		for i, it := range s.items {
			for j := range it.clips {
				switch {
				case i == 0 && j == 0 && tc.chime:
					gaps = append(gaps, ms(afterChime))
				case i == 0 && j == 0:
					gaps = append(gaps, ms(leadMs))
				case j == 0:
					gaps = append(gaps, ms(betweenItem))
				default:
					gaps = append(gaps, ms(withinItem))
				}
			}
		}
		rs := runs(samples)
		var got []string
		end := 0
		for i, r := range rs {
			f := byLevel[r.level]
			got = append(got, f)
			a.mu.Lock()
			clipLen := len(a.clips[f]) / 2
			a.mu.Unlock()
			if r.size != clipLen {
				t.Errorf("%s: clip %d (%s) is %d samples, the file has %d", name, i, f, r.size, clipLen)
			}
			if i < len(gaps) && r.start-end != gaps[i] {
				t.Errorf("%s: %d samples of silence before clip %d (%s), want %d", name, r.start-end, i, f, gaps[i])
			}
			end = r.start + r.size
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: clips in the WAV\n  %q\nwant\n  %q", name, got, want)
		}
		if tail := len(samples) - end; tail != ms(tailMs) {
			t.Errorf("%s: %d samples of silence at the end, want %d", name, tail, ms(tailMs))
		}
	}
}

func TestDefaultClips(t *testing.T) {
	a, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate() != 12000 {
		t.Errorf("rate %d, the clips are made at 12000", a.Rate())
	}
	// The embedded folder holds the clip set and nothing else.
	var files []string
	err = fs.WalkDir(embedded, "clips", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, "clips/"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for f := range a.clips {
		want = append(want, f)
	}
	slices.Sort(files)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("embedded files %q\nwant %q", files, want)
	}
	size := 0
	for _, c := range a.clips {
		size += len(c)
	}
	if size > 1_500_000 {
		t.Errorf("the default clips hold %d bytes of sound, more than 1.5 MB", size)
	}
	for _, lang := range clipset.Langs {
		b, err := a.Call(lang, "A-007", "L2", true)
		if err != nil {
			t.Fatal(err)
		}
		samples := checkHeader(t, b, a.Rate())
		if sec := float64(len(samples)) / float64(a.Rate()); sec < 4 || sec > 12 {
			t.Errorf("%s: a call of %.1f s", lang, sec)
		}
	}
}

func TestCache(t *testing.T) {
	a, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.Call("id", "A-007", "L2", true)
	if err != nil {
		t.Fatal(err)
	}
	keep := bytes.Clone(first)
	first[100] ^= 0xff // the caller's own bytes: changing them changes nothing cached
	again, err := a.Call("id", "A-007", "L2", true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, keep) {
		t.Error("the second call differs from the first")
	}
	// "2", "L2" and "Loket 2" are the same sentence: one entry.
	for _, c := range []string{"2", "Loket 2", "l-2"} {
		b, err := a.Call("id", "a-007", c, true)
		if err != nil || !bytes.Equal(b, keep) {
			t.Errorf("counter %q: %v, same bytes %v", c, err, bytes.Equal(b, keep))
		}
	}
	// Without the chime, or in English, it is another sentence.
	noChime, _ := a.Call("id", "A-007", "L2", false)
	en, _ := a.Call("en", "A-007", "L2", true)
	if bytes.Equal(noChime, keep) || bytes.Equal(en, keep) || len(noChime) >= len(keep) {
		t.Error("chime off or English gave the same call")
	}
	if n := len(a.cache); n != 3 {
		t.Errorf("%d cache entries, want 3", n)
	}
	// The cache is bounded; what it dropped is built again the same.
	for i := 1; i <= 2*cacheEntries; i++ {
		if _, err := a.Call("id", fmt.Sprintf("B-%03d", i), "1", true); err != nil {
			t.Fatal(err)
		}
	}
	if n, l := len(a.cache), a.lru.Len(); n != cacheEntries || l != cacheEntries {
		t.Errorf("%d cache entries (list %d), want at most %d", n, l, cacheEntries)
	}
	if b, _ := a.Call("id", "A-007", "L2", true); !bytes.Equal(b, keep) {
		t.Error("a call built again after it left the cache differs")
	}
}

// Many goroutines asking for overlapping calls, with a cache small enough
// to evict all the time, get the right bytes (run with -race).
func TestCacheConcurrent(t *testing.T) {
	ref, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Default()
	a.max = 3
	type call struct{ ticket, counter string }
	var calls []call
	want := map[call][]byte{}
	for i := 1; i <= 8; i++ {
		c := call{fmt.Sprintf("A-%03d", i), fmt.Sprint(i % 3)}
		calls = append(calls, c)
		s, _ := parse("id", c.ticket, c.counter)
		want[c] = ref.build(s, true)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c := calls[(g*7+i)%len(calls)]
				b, err := a.Call("id", c.ticket, c.counter, true)
				if err != nil || !bytes.Equal(b, want[c]) {
					errs <- fmt.Errorf("goroutine %d call %v: %v, right bytes %v", g, c, err, bytes.Equal(b, want[c]))
					return
				}
				b[50] ^= 1 // a caller that scribbles on its bytes harms no one
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if a.lru.Len() > 3 || len(a.cache) > 3 {
		t.Errorf("cache grew to %d/%d entries, bound 3", a.lru.Len(), len(a.cache))
	}
}

func TestLoadLanguages(t *testing.T) {
	dir, _ := testFolder(t, 8000, "id") // an office that recorded only Indonesian
	a, err := Load(dir, "id")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Call("id", "A-007", "2", true); err != nil {
		t.Error(err)
	}
	if _, err := a.Call("en", "A-007", "2", true); !errors.Is(err, ErrLanguage) || !strings.Contains(err.Error(), "not loaded") {
		t.Errorf("English from an Indonesian-only folder: %v, want ErrLanguage", err)
	}
	// Both languages asked for: every English clip is missing, and said so.
	_, err = Load(dir)
	if !errors.Is(err, ErrMissingClip) || !strings.Contains(err.Error(), "59 bad clips: missing clip: en/ticket-number.wav") ||
		!strings.Contains(err.Error(), "and 49 more") || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load of an Indonesian-only folder for both languages: %v", err)
	}
	if _, err := Load(dir, "fr"); !errors.Is(err, ErrLanguage) {
		t.Errorf("Load for French: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing folder: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "chime.wav")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Load of a file: %v", err)
	}
}

// A folder with one clip missing or in the wrong form does not load, and
// the error names the file.
func TestLoadBadClip(t *testing.T) {
	const rate = 8000
	tone := make([]int16, 400)
	for i := range tone {
		tone[i] = int16(1000 * (i % 7))
	}
	good := wav.Encode(rate, tone)
	withFmt := func(channels, bits, tag int) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint16(b[20:22], uint16(tag))
		binary.LittleEndian.PutUint16(b[22:24], uint16(channels))
		binary.LittleEndian.PutUint16(b[34:36], uint16(bits))
		return b
	}
	for _, tc := range []struct {
		name    string
		file    string
		content []byte // nil: removed
		want    error
		mention string
	}{
		{"missing", "id/belas.wav", nil, ErrMissingClip, "missing clip: id/belas.wav"},
		{"missing chime", "chime.wav", nil, ErrMissingClip, "missing clip: chime.wav"},
		{"other rate", "en/seven.wav", wav.Encode(16000, tone), ErrClipFormat, "en/seven.wav is 16000 Hz, chime.wav is 8000 Hz"},
		{"stereo", "id/dua.wav", withFmt(2, 16, 1), ErrClipFormat, "id/dua.wav: not 16-bit mono PCM: 8000 Hz 16-bit 2 channels"},
		{"8-bit", "id/a.wav", withFmt(1, 8, 1), ErrClipFormat, "id/a.wav: not 16-bit mono PCM: 8000 Hz 8-bit mono"},
		{"float", "id/z.wav", withFmt(1, 16, 3), ErrClipFormat, "id/z.wav: not 16-bit mono PCM"},
		{"not a WAV", "en/counter.wav", []byte("ID3\x03 an mp3 renamed"), ErrClipFormat, "en/counter.wav: not a WAV file"},
		{"cut short", "id/loket.wav", good[:300], ErrClipFormat, "id/loket.wav: not a WAV file: chunk \"data\" says 800 bytes"},
		{"empty", "id/nol.wav", wav.Encode(rate, nil), ErrClipFormat, "id/nol.wav: not a WAV file: no samples"},
	} {
		dir, _ := testFolder(t, rate, "id", "en")
		p := filepath.Join(dir, tc.file)
		var err error
		if tc.content == nil {
			err = os.Remove(p)
		} else {
			err = os.WriteFile(p, tc.content, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(dir)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), "1 bad clips") {
			t.Errorf("%s: Load = %v\nwant %v mentioning %q", tc.name, err, tc.want, tc.mention)
		}
	}
	// A WAV with extra chunks, an odd-sized one among them, loads.
	dir, _ := testFolder(t, rate, "id", "en")
	extra := append([]byte(nil), good[:36]...)
	extra = append(extra, "LIST\x03\x00\x00\x00abc\x00"...)
	extra = append(extra, good[36:]...)
	binary.LittleEndian.PutUint32(extra[4:8], uint32(len(extra)-8))
	if err := os.WriteFile(filepath.Join(dir, "id/dua.wav"), extra, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Load(dir)
	if err != nil {
		t.Fatalf("a clip with a LIST chunk: %v", err)
	}
	if !bytes.Equal(a.clips["id/dua.wav"], good[44:]) {
		t.Error("the clip's samples were not read past its LIST chunk")
	}
}
