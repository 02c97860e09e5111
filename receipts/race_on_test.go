//go:build race

package receipts

// raceEnabled: the race detector slows rendering about tenfold.
const raceEnabled = true
