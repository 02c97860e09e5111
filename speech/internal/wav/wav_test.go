package wav

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	s := []int16{0, 1, -1, 32767, -32768, 1234}
	b := Encode(22050, s)
	f, data, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rate != 22050 || f.Channels != 1 || f.Bits != 16 || f.Tag != 1 {
		t.Errorf("format %+v", f)
	}
	if got := Samples(data); !slices.Equal(got, s) {
		t.Errorf("samples %v, want %v", got, s)
	}
}

func TestParse(t *testing.T) {
	good := Encode(8000, []int16{1, 2, 3})
	ext := func() []byte {
		// WAVE_FORMAT_EXTENSIBLE with a PCM sub-format, as some editors write.
		fmtBody := make([]byte, 40)
		le := binary.LittleEndian
		le.PutUint16(fmtBody[0:], 0xFFFE)
		le.PutUint16(fmtBody[2:], 1)
		le.PutUint32(fmtBody[4:], 8000)
		le.PutUint32(fmtBody[8:], 16000)
		le.PutUint16(fmtBody[12:], 2)
		le.PutUint16(fmtBody[14:], 16)
		le.PutUint16(fmtBody[16:], 22)
		le.PutUint16(fmtBody[24:], 1) // sub-format GUID begins with PCM's tag
		b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x28\x00\x00\x00")
		b = append(b, fmtBody...)
		b = append(b, "data\x02\x00\x00\x00\x07\x00"...)
		le.PutUint32(b[4:], uint32(len(b)-8))
		return b
	}()
	if f, data, err := Parse(ext); err != nil || f.Rate != 8000 || len(data) != 2 {
		t.Errorf("extensible PCM: %v %d %v", f, len(data), err)
	}
	extFloat := slices.Clone(ext)
	extFloat[20+24] = 3
	odd := slices.Clone(good)
	binary.LittleEndian.PutUint32(odd[40:], 5) // an odd data size: the last byte is dropped
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:10], ErrNotWAV},
		{"not RIFF", append([]byte("RIFX"), good[4:]...), ErrNotWAV},
		{"no data", good[:36], ErrNotWAV},
		{"no fmt", append(append([]byte(nil), good[:12]...), good[36:]...), ErrNotWAV},
		{"extensible float", extFloat, ErrFormat},
	} {
		if _, _, err := Parse(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, data, err := Parse(odd); err != nil || len(data) != 4 {
		t.Errorf("odd data size: %d bytes, %v", len(data), err)
	}
}
