package queue_test

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestDependencyRule keeps the domain and the packages built on it free of
// storage, network and PDF code: the central server, a hub's client and the
// UI need the queue's rules without bbolt, gofpdf or an HTTP stack.
func TestDependencyRule(t *testing.T) {
	forbidden := []string{"go.etcd.io/bbolt", "github.com/jung-kurt/gofpdf", "net/http", "github.com/loket-id/loket/store"}
	rules := map[string][]string{
		"queue": forbidden, "sync/protocol": forbidden, "stats": forbidden, "skm": forbidden, "demo": forbidden, "tui": forbidden, "i18n": forbidden,
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

// TestReadmeListsEveryFolder keeps the README's table of folders true: each
// folder of Go code has its row (a folder inside one with a row may be
// named in that row's text instead), and each row names a folder that exists.
func TestReadmeListsEveryFolder(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // folder -> the row's text
	_, table, _ := strings.Cut(string(readme), "| folder | what it is |")
	table, _, _ = strings.Cut(table, "\n\n")
	for _, line := range strings.Split(table, "\n") {
		if cell, rest, ok := strings.Cut(strings.TrimPrefix(line, "| `"), "` |"); ok && strings.HasPrefix(line, "| `") {
			rows[strings.TrimSuffix(cell, "/")] = rest
		}
	}
	for folder := range rows {
		if fi, err := os.Stat("../" + folder); err != nil || !fi.IsDir() {
			t.Errorf("README lists %s/, which is not a folder", folder)
		}
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/loket-id/loket/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	for _, dir := range strings.Fields(string(out)) {
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		if _, ok := rows[rel]; ok {
			continue
		}
		listed := false
		for parent := path.Dir(rel); parent != "."; parent = path.Dir(parent) {
			if text, ok := rows[parent]; ok && strings.Contains(text, rel) {
				listed = true
			}
		}
		if !listed {
			t.Errorf("README's table of folders lacks %s", rel)
		}
	}
}
