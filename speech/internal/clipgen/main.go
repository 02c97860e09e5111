// Command clipgen makes the speech package's default clips: the chime,
// generated here, and one clip per word or phrase of clipset, spoken by
// espeak-ng, with the silence trimmed, the level evened and the rate
// brought down to -rate. speech/clips/make.sh runs it; see there.
//
//	go run ./speech/internal/clipgen -out speech/clips   # needs espeak-ng
//	go run ./speech/internal/clipgen -list               # what each clip says
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/loket-id/loket/speech/internal/clipset"
	"github.com/loket-id/loket/speech/internal/wav"
)

func main() {
	out := flag.String("out", "speech/clips", "the clip folder to write")
	rate := flag.Int("rate", 12000, "sample rate of the clips")
	speed := flag.Int("speed", 150, "espeak-ng's words per minute")
	list := flag.Bool("list", false, "print the clips each language needs and what they say, and write nothing")
	flag.Parse()
	if *list {
		fmt.Printf("%s.wav\ta short two-tone chime\n", clipset.Chime)
		for _, l := range clipset.Langs {
			for _, c := range clipset.Clips(l) {
				fmt.Printf("%s/%s.wav\t%s\n", l, c.Name, c.Text)
			}
		}
		return
	}
	if err := run(*out, *rate, *speed); err != nil {
		fmt.Fprintln(os.Stderr, "clipgen:", err)
		os.Exit(1)
	}
}

var voices = map[string]string{"id": "id", "en": "en"}

func run(out string, rate, speed int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := write(filepath.Join(out, clipset.Chime+".wav"), rate, Chime(rate)); err != nil {
		return err
	}
	for _, l := range clipset.Langs {
		if err := os.MkdirAll(filepath.Join(out, l), 0o755); err != nil {
			return err
		}
		for _, c := range clipset.Clips(l) {
			src, srcRate, err := speak(voices[l], speed, c.Say)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", l, c.Name, err)
			}
			x := Trim(src, srcRate)
			x = Resample(x, srcRate, rate)
			Normalize(x, 0.7)
			Fade(x, rate)
			if err := write(filepath.Join(out, l, c.Name+".wav"), rate, x); err != nil {
				return err
			}
		}
	}
	return nil
}

func speak(voice string, speed int, text string) ([]float64, int, error) {
	tmp, err := os.CreateTemp("", "clipgen-*.wav")
	if err != nil {
		return nil, 0, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.Command("espeak-ng", "-v", voice, "-s", fmt.Sprint(speed), "-w", tmp.Name(), "--", text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("espeak-ng %q: %w: %s", text, err, stderr.String())
	}
	b, err := os.ReadFile(tmp.Name())
	if err != nil {
		return nil, 0, err
	}
	f, data, err := wav.Parse(b)
	if err != nil {
		return nil, 0, fmt.Errorf("espeak-ng's output: %w", err)
	}
	s := wav.Samples(data)
	x := make([]float64, len(s))
	for i, v := range s {
		x[i] = float64(v) / 32768
	}
	return x, f.Rate, nil
}

// encode is the WAV file of samples in [-1, 1].
func encode(rate int, x []float64) []byte {
	s := make([]int16, len(x))
	for i, v := range x {
		s[i] = int16(math.Round(math.Max(-1, math.Min(1, v)) * 32767))
	}
	return wav.Encode(rate, s)
}

func write(path string, rate int, x []float64) error {
	if err := os.WriteFile(path, encode(rate, x), 0o644); err != nil {
		return fmt.Errorf("write clip: %w", err)
	}
	return nil
}

// Chime is a two-tone "ding-dong" (E5 then C5), bell-like: each tone a
// fundamental with two soft overtones, a 5 ms attack and an exponential
// decay, the second starting as the first fades. 1.1 s long, the last
// 150 ms faded out.
func Chime(rate int) []float64 {
	n := int(1.1 * float64(rate))
	x := make([]float64, n)
	tone := func(start, freq float64) {
		for i := int(start * float64(rate)); i < n; i++ {
			t := float64(i)/float64(rate) - start
			env := math.Exp(-t/0.28) * math.Min(1, t/0.005)
			v := math.Sin(2*math.Pi*freq*t) + 0.3*math.Sin(2*math.Pi*2*freq*t)*math.Exp(-t/0.1) +
				0.1*math.Sin(2*math.Pi*3*freq*t)*math.Exp(-t/0.05)
			x[i] += env * v
		}
	}
	tone(0, 659.25)
	tone(0.4, 523.25)
	Normalize(x, 0.5)
	Fade(x, rate)
	tail := rate * 150 / 1000 // and a longer fade-out, so it ends softly
	for i := 0; i < tail; i++ {
		x[n-1-i] *= float64(i) / float64(tail)
	}
	return x
}

// Trim cuts the silence before and after the speech: everything quieter
// than 3% of the clip's peak, keeping 15 ms before and 40 ms after.
func Trim(x []float64, rate int) []float64 {
	peak := 0.0
	for _, v := range x {
		peak = math.Max(peak, math.Abs(v))
	}
	thr := 0.03 * peak
	first, last := -1, -1
	for i, v := range x {
		if math.Abs(v) > thr {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return x
	}
	first = max(0, first-rate*15/1000)
	last = min(len(x)-1, last+rate*40/1000)
	return append([]float64(nil), x[first:last+1]...)
}

// Resample converts x from rate from to rate to with a Hann-windowed sinc
// filter whose cut-off is below the lower Nyquist frequency.
func Resample(x []float64, from, to int) []float64 {
	if from == to {
		return x
	}
	ratio := float64(to) / float64(from)
	fc := 0.9 * math.Min(1, ratio) // cut-off, as a fraction of from's Nyquist
	half := int(math.Ceil(16 / fc))
	n := int(float64(len(x)) * ratio)
	y := make([]float64, n)
	for i := range y {
		t := float64(i) / ratio
		k0 := int(math.Floor(t))
		sum := 0.0
		for k := k0 - half + 1; k <= k0+half; k++ {
			if k < 0 || k >= len(x) {
				continue
			}
			d := t - float64(k)
			u := d / float64(half)
			if u <= -1 || u >= 1 {
				continue
			}
			w := 0.5 + 0.5*math.Cos(math.Pi*u)
			sum += x[k] * fc * sinc(fc*d) * w
		}
		y[i] = sum
	}
	return y
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// Normalize scales x so that its peak is peak.
func Normalize(x []float64, peak float64) {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	if m == 0 {
		return
	}
	for i := range x {
		x[i] *= peak / m
	}
}

// Fade ramps the first and last 5 ms, so a clip starts and ends without a
// click.
func Fade(x []float64, rate int) {
	n := min(rate*5/1000, len(x)/2)
	for i := 0; i < n; i++ {
		g := float64(i) / float64(n)
		x[i] *= g
		x[len(x)-1-i] *= g
	}
}
