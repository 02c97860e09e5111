package queue_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRule keeps the domain and the packages built on it free of
// storage, network and PDF code: the central server, a hub's client and the
// UI need the queue's rules without bbolt, gofpdf or an HTTP stack.
func TestDependencyRule(t *testing.T) {
	forbidden := []string{"go.etcd.io/bbolt", "github.com/jung-kurt/gofpdf", "net/http", "github.com/loket-id/loket/store"}
	rules := map[string][]string{
		"queue": forbidden, "sync/protocol": forbidden, "stats": forbidden, "demo": forbidden, "tui": forbidden, "i18n": forbidden,
		// The central server has its own bbolt file; the counter's is not its business.
		"sync/central":      {"github.com/loket-id/loket/store"},
		"cmd/loket-central": {"github.com/loket-id/loket/store"},
	}
	for pkg, forbidden := range rules {
		out, err := exec.Command("go", "list", "-deps", "github.com/loket-id/loket/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
