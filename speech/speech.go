package speech

import (
	"container/list"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/loket-id/loket/speech/internal/clipset"
	"github.com/loket-id/loket/speech/internal/wav"
)

// Errors, matched with errors.Is.
var (
	// ErrLanguage: a language with no clip set, or one the Announcer was
	// not loaded with.
	ErrLanguage = errors.New("speech: no such language")
	// ErrInput: a ticket or counter code that cannot be read out.
	ErrInput = errors.New("speech: cannot be read out")
	// ErrMissingClip: a clip folder lacks a clip some announcement needs.
	ErrMissingClip = errors.New("missing clip")
	// ErrClipFormat: a clip that is not a 16-bit mono PCM WAV, or whose
	// sample rate differs from the chime's.
	ErrClipFormat = errors.New("clip in the wrong format")
)

// Pauses, in milliseconds.
const (
	leadMs      = 50  // silence before the first sound, so no player clips it
	afterChime  = 300 // between the chime and the voice
	betweenItem = 180 // between spoken items: "A, nol, nol, tujuh"
	withinItem  = 30  // between the clips of one item: "dua belas"
	tailMs      = 250 // silence at the end, before the next call
)

// cacheEntries bounds the cache: a call of 8 s at 12 kHz is about 190 KB,
// so at most about 12 MB. It holds the calls the board asks for again (a
// recall, a second screen), not a day's calls.
const cacheEntries = 64

//go:embed clips/chime.wav clips/id/*.wav clips/en/*.wav
var embedded embed.FS

// Announcer makes the WAV of a call from a set of clips. It is safe for
// concurrent use.
type Announcer struct {
	rate  int
	langs []string
	clips map[string][]byte // sample data by file path: "chime.wav", "id/dua.wav"

	mu    sync.Mutex
	cache map[string]*list.Element // of *cached, by the call's clip sequence
	lru   *list.List               // front = most recently used
	max   int
}

type cached struct {
	key string
	wav []byte
}

// Default returns an Announcer of the clips built into the program (made by
// speech/clips/make.sh with espeak-ng), in Indonesian and English.
func Default() (*Announcer, error) {
	sub, err := fs.Sub(embedded, "clips")
	if err != nil {
		return nil, fmt.Errorf("speech: built-in clips: %w", err)
	}
	a, err := New(sub)
	if err != nil {
		return nil, fmt.Errorf("speech: built-in clips: %w", err)
	}
	return a, nil
}

// Load returns an Announcer of the clips in a folder, laid out as
// speech/clips is: chime.wav at the top, then one folder per language
// (id/, en/) with a file per word or phrase. langs are the languages to
// load (default: all, "id" and "en"); a folder may hold only one. Every
// clip any announcement in those languages can need is read and checked
// now, so a missing or wrong clip is an error here, naming every bad file,
// not silence at the first call.
func Load(dir string, langs ...string) (*Announcer, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("speech: clip folder: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("speech: clip folder %s is not a folder", dir)
	}
	a, err := New(os.DirFS(dir), langs...)
	if err != nil {
		return nil, fmt.Errorf("speech: clip folder %s: %w", dir, err)
	}
	return a, nil
}

// New is Load of a file system instead of a folder.
func New(fsys fs.FS, langs ...string) (*Announcer, error) {
	if len(langs) == 0 {
		langs = clipset.Langs
	}
	for _, l := range langs {
		if err := checkLang(l); err != nil {
			return nil, err
		}
	}
	a := &Announcer{
		langs: append([]string(nil), langs...),
		clips: make(map[string][]byte),
		cache: make(map[string]*list.Element),
		lru:   list.New(),
		max:   cacheEntries,
	}
	files := []string{clipset.Chime + ".wav"}
	for _, l := range langs {
		for _, c := range clipset.Clips(l) {
			files = append(files, l+"/"+c.Name+".wav")
		}
	}
	var problems []error
	ref := "" // the first good clip, whose rate every other must have
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, fmt.Errorf("%w: %s", ErrMissingClip, name))
			continue
		} else if err != nil {
			problems = append(problems, fmt.Errorf("clip %s: %w", name, err))
			continue
		}
		f, data, err := wav.Parse(b)
		if err != nil {
			problems = append(problems, fmt.Errorf("%w: %s: %w (want 16-bit mono PCM WAV)", ErrClipFormat, name, err))
			continue
		}
		if ref == "" {
			ref, a.rate = name, f.Rate
		} else if f.Rate != a.rate {
			problems = append(problems, fmt.Errorf("%w: %s is %d Hz, %s is %d Hz (every clip must have the same rate)",
				ErrClipFormat, name, f.Rate, ref, a.rate))
			continue
		}
		a.clips[name] = data
	}
	if len(problems) > 0 {
		return nil, &clipsError{problems}
	}
	return a, nil
}

// clipsError lists every bad clip of a folder; errors.Is sees each.
type clipsError struct{ problems []error }

func (e *clipsError) Unwrap() []error { return e.problems }

func (e *clipsError) Error() string {
	const show = 10
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad clips: ", len(e.problems))
	for i, p := range e.problems {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.problems)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Rate is the clips' sample rate, and so the calls'.
func (a *Announcer) Rate() int { return a.rate }

// Words returns what an announcement says, item by item: Indonesian
// ("id") "nomor antrean", "A", "nol", "nol", "tujuh", "silakan menuju",
// "loket", "dua"; English ("en") "ticket number", "A", "zero", "zero",
// "seven", "please go to", "counter", "two". The ticket is read character by
// character; the counter's code as a number where it has one ("L12" →
// "dua belas"), see the package documentation.
func Words(lang, ticket, counter string) ([]string, error) {
	s, err := parse(lang, ticket, counter)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(s.items))
	for i, it := range s.items {
		out[i] = it.word
	}
	return out, nil
}

// Text returns the announcement as a sentence for the screen and for
// screen readers: "Nomor antrean A-007, silakan menuju loket 2."
func Text(lang, ticket, counter string) (string, error) {
	s, err := parse(lang, ticket, counter)
	if err != nil {
		return "", err
	}
	return s.text, nil
}

// Clips returns the clip files an announcement plays, in order, as paths
// in the clip folder: "chime.wav" (when chime is true), "id/nomor-antrean.wav",
// "id/a.wav", "id/nol.wav", ... A board that plays clips itself plays
// these with the pauses Call puts between them.
func Clips(lang, ticket, counter string, chime bool) ([]string, error) {
	s, err := parse(lang, ticket, counter)
	if err != nil {
		return nil, err
	}
	return s.files(chime), nil
}

func (s sentence) files(chime bool) []string {
	var out []string
	if chime {
		out = append(out, clipset.Chime+".wav")
	}
	for _, it := range s.items {
		for _, c := range it.clips {
			out = append(out, path.Join(s.lang, c+".wav"))
		}
	}
	return out
}

// Call returns the WAV file (16-bit mono PCM, at Rate) of one call: the
// chime if chime is true, then the announcement Words describes, in lang.
// The same sentence asked for again comes from a cache. The bytes are the
// caller's own.
func (a *Announcer) Call(lang, ticket, counter string, chime bool) ([]byte, error) {
	s, err := parse(lang, ticket, counter)
	if err != nil {
		return nil, err
	}
	if !a.has(lang) {
		return nil, fmt.Errorf("%w: %q was not loaded (loaded: %s)", ErrLanguage, lang, strings.Join(a.langs, ", "))
	}
	files := s.files(chime)
	key := fmt.Sprint(chime, " ", strings.Join(files, " "))
	if b, ok := a.lookup(key); ok {
		return b, nil
	}
	b := a.build(s, chime)
	return a.store(key, b), nil
}

func (a *Announcer) has(lang string) bool {
	for _, l := range a.langs {
		if l == lang {
			return true
		}
	}
	return false
}

func (a *Announcer) lookup(key string) ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.cache[key]
	if !ok {
		return nil, false
	}
	a.lru.MoveToFront(e)
	return append([]byte(nil), e.Value.(*cached).wav...), true
}

// store keeps b under key (unless another caller stored it first, whose
// bytes win so every caller gets the same) and returns a copy.
func (a *Announcer) store(key string, b []byte) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.cache[key]; ok {
		a.lru.MoveToFront(e)
		b = e.Value.(*cached).wav
	} else {
		a.cache[key] = a.lru.PushFront(&cached{key, b})
		for a.lru.Len() > a.max {
			old := a.lru.Remove(a.lru.Back()).(*cached)
			delete(a.cache, old.key)
		}
	}
	return append([]byte(nil), b...)
}

// build assembles a call: header, then clips and silences, in one buffer.
func (a *Announcer) build(s sentence, chime bool) []byte {
	silence := func(ms int) int { return 2 * (a.rate * ms / 1000) }
	type part struct {
		clip []byte
		gap  int // bytes of silence before clip
	}
	var parts []part
	gap := silence(leadMs)
	if chime {
		parts = append(parts, part{a.clips[clipset.Chime+".wav"], gap})
		gap = silence(afterChime)
	}
	for i, it := range s.items {
		if i > 0 {
			gap = silence(betweenItem)
		}
		for j, c := range it.clips {
			if j > 0 {
				gap = silence(withinItem)
			}
			parts = append(parts, part{a.clips[s.lang+"/"+c+".wav"], gap})
			gap = 0
		}
	}
	n := silence(tailMs)
	for _, p := range parts {
		n += p.gap + len(p.clip)
	}
	out := make([]byte, wav.HeaderSize+n) // zero bytes are silence
	wav.Header(out, a.rate, n)
	at := wav.HeaderSize
	for _, p := range parts {
		at += p.gap
		at += copy(out[at:], p.clip)
	}
	return out
}
