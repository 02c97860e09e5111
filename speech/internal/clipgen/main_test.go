package main

import (
	"math"
	"os"
	"testing"

	"github.com/loket-id/loket/speech/internal/wav"
)

func TestResampleKeepsATone(t *testing.T) {
	const from, to, freq = 22050, 12000, 1000.0
	x := make([]float64, from) // one second
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*freq*float64(i)/from)
	}
	y := Resample(x, from, to)
	if len(y) != to {
		t.Fatalf("%d samples, want %d", len(y), to)
	}
	worst := 0.0
	for i := 100; i < len(y)-100; i++ { // away from the edges
		worst = math.Max(worst, math.Abs(y[i]-0.5*math.Sin(2*math.Pi*freq*float64(i)/to)))
	}
	if worst > 0.01 {
		t.Errorf("a 1 kHz tone resampled is off by up to %.4f", worst)
	}
	// A tone above the new Nyquist frequency is filtered out, not folded back.
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*8000*float64(i)/from)
	}
	y = Resample(x, from, to)
	peak := 0.0
	for i := 100; i < len(y)-100; i++ {
		peak = math.Max(peak, math.Abs(y[i]))
	}
	if peak > 0.01 {
		t.Errorf("an 8 kHz tone comes through at %.4f after resampling to 12 kHz", peak)
	}
}

func TestTrim(t *testing.T) {
	const rate = 10000
	x := make([]float64, rate) // silence, 0.2 s of sound at 0.4-0.6 s, silence
	for i := 4000; i < 6000; i++ {
		x[i] = 0.5 * math.Sin(float64(i))
	}
	y := Trim(x, rate)
	if want := 2000 + 150 + 400; len(y) < want-2 || len(y) > want+2 {
		t.Errorf("trimmed to %d samples, want about %d (the sound and 15+40 ms)", len(y), want)
	}
}

func TestChime(t *testing.T) {
	c := Chime(12000)
	if len(c) != 13200 {
		t.Errorf("chime of %d samples, want 1.1 s", len(c))
	}
	peak := 0.0
	for _, v := range c {
		peak = math.Max(peak, math.Abs(v))
	}
	if math.Abs(peak-0.5) > 1e-9 || c[0] != 0 || c[len(c)-1] != 0 {
		t.Errorf("peak %.3f (want 0.5), first %v, last %v (want faded to 0)", peak, c[0], c[len(c)-1])
	}
}

// The committed chime is what the generator makes (to within one step of
// rounding, should another machine's floating point differ).
func TestCommittedChime(t *testing.T) {
	b, err := os.ReadFile("../../clips/chime.wav")
	if err != nil {
		t.Fatal(err)
	}
	f, data, err := wav.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := wav.Samples(data)
	_, want, _ := wav.Parse(encode(f.Rate, Chime(f.Rate)))
	w := wav.Samples(want)
	if len(got) != len(w) {
		t.Fatalf("chime.wav has %d samples, the generator makes %d: run speech/clips/make.sh", len(got), len(w))
	}
	for i := range w {
		if d := int(got[i]) - int(w[i]); d < -1 || d > 1 {
			t.Fatalf("chime.wav differs from the generator's at sample %d (%d, %d): run speech/clips/make.sh", i, got[i], w[i])
		}
	}
}
