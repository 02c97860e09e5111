// Package wav reads and writes the one kind of WAV file the speech package
// uses: uncompressed 16-bit PCM, mono, at any sample rate.
package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of the header Header writes: RIFF, fmt and data
// chunk headers, no other chunks.
const HeaderSize = 44

// Errors Parse wraps: ErrNotWAV for a file that is not a RIFF WAVE file or
// is cut short, ErrFormat for a WAV in another format than 16-bit mono PCM.
var (
	ErrNotWAV = errors.New("not a WAV file")
	ErrFormat = errors.New("not 16-bit mono PCM")
)

// Format is a WAV file's sample format.
type Format struct {
	Rate     int // samples per second
	Channels int
	Bits     int // bits per sample
	Tag      int // 1 = PCM; 0xFFFE = extensible (its sub-format is checked)
}

func (f Format) String() string {
	ch := "mono"
	if f.Channels != 1 {
		ch = fmt.Sprintf("%d channels", f.Channels)
	}
	s := fmt.Sprintf("%d Hz %d-bit %s", f.Rate, f.Bits, ch)
	if f.Tag != 1 && f.Tag != 0xFFFE {
		s += fmt.Sprintf(" (format tag %d, not PCM)", f.Tag)
	}
	return s
}

// Parse returns a WAV file's format and its sample data (little-endian
// 16-bit samples). It walks the RIFF chunks, skipping any it does not need
// (LIST and the like), and refuses a file whose chunks run past its end, a
// format other than 16-bit mono PCM, or no samples at all.
func Parse(b []byte) (Format, []byte, error) {
	var f Format
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return f, nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	var data []byte
	haveFmt, haveData := false, false
	rest := b[12:]
	if n := int(binary.LittleEndian.Uint32(b[4:8])); n >= 4 && n-4 < len(rest) {
		rest = rest[:n-4] // bytes after the RIFF chunk are not part of the file
	}
	for len(rest) >= 8 {
		id := string(rest[0:4])
		size := int(binary.LittleEndian.Uint32(rest[4:8]))
		rest = rest[8:]
		if size < 0 || size > len(rest) {
			return f, nil, fmt.Errorf("%w: chunk %q says %d bytes, %d left in the file", ErrNotWAV, id, size, len(rest))
		}
		body := rest[:size]
		if size%2 == 1 && size < len(rest) {
			size++ // chunks are padded to an even length
		}
		rest = rest[size:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return f, nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, len(body))
			}
			f.Tag = int(binary.LittleEndian.Uint16(body[0:2]))
			f.Channels = int(binary.LittleEndian.Uint16(body[2:4]))
			f.Rate = int(binary.LittleEndian.Uint32(body[4:8]))
			f.Bits = int(binary.LittleEndian.Uint16(body[14:16]))
			if f.Tag == 0xFFFE {
				// WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real tag.
				if len(body) < 40 || binary.LittleEndian.Uint16(body[24:26]) != 1 {
					f.Tag = -1
				}
			}
			haveFmt = true
		case "data":
			data = body
			haveData = true
		}
	}
	switch {
	case !haveFmt:
		return f, nil, fmt.Errorf("%w: no fmt chunk", ErrNotWAV)
	case !haveData:
		return f, nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
	case (f.Tag != 1 && f.Tag != 0xFFFE) || f.Channels != 1 || f.Bits != 16:
		return f, nil, fmt.Errorf("%w: %s", ErrFormat, f)
	case f.Rate < 4000 || f.Rate > 192000:
		return f, nil, fmt.Errorf("%w: sample rate %d Hz", ErrFormat, f.Rate)
	case len(data) < 2:
		return f, nil, fmt.Errorf("%w: no samples", ErrNotWAV)
	}
	return f, data[:len(data)&^1], nil
}

// Header writes the 44-byte header of a 16-bit mono PCM file holding
// dataLen bytes of samples into h[:HeaderSize].
func Header(h []byte, rate, dataLen int) {
	_ = h[HeaderSize-1]
	copy(h[0:4], "RIFF")
	binary.LittleEndian.PutUint32(h[4:8], uint32(36+dataLen))
	copy(h[8:12], "WAVE")
	copy(h[12:16], "fmt ")
	binary.LittleEndian.PutUint32(h[16:20], 16)
	binary.LittleEndian.PutUint16(h[20:22], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:24], 1) // mono
	binary.LittleEndian.PutUint32(h[24:28], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:32], uint32(rate*2)) // bytes per second
	binary.LittleEndian.PutUint16(h[32:34], 2)              // block align
	binary.LittleEndian.PutUint16(h[34:36], 16)             // bits per sample
	copy(h[36:40], "data")
	binary.LittleEndian.PutUint32(h[40:44], uint32(dataLen))
}

// Encode returns a whole 16-bit mono PCM file of the samples.
func Encode(rate int, samples []int16) []byte {
	b := make([]byte, HeaderSize+2*len(samples))
	Header(b, rate, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[HeaderSize+2*i:], uint16(s))
	}
	return b
}

// Samples decodes little-endian 16-bit sample data.
func Samples(data []byte) []int16 {
	s := make([]int16, len(data)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	return s
}
