//go:build linux

package store

import (
	"os"
	"runtime/debug"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// resetPeak drops what the process has mapped of the file and resets its
// peak resident memory (Linux), so that the next part's peak is its own.
func resetPeak(s *Store) {
	_ = s.db.View(func(tx *bolt.Tx) error {
		// bbolt's map of the file, dropped as boltcheck's walk drops its own.
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, s.db.Info().Data, uintptr(tx.Size()), syscall.MADV_DONTNEED)
		return nil
	})
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// residentMemory is this process's resident memory now and at its peak.
func residentMemory() string {
	b, _ := os.ReadFile("/proc/self/status")
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "VmHWM") || strings.HasPrefix(l, "RssFile") || strings.HasPrefix(l, "RssAnon") {
			out = append(out, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(out, ", ")
}
