// Package browsertest drives web pages in a headless Chromium (Debian's
// chromium package) for the tests of the pages the hub serves. Without
// chromium a test skips, except under CI, where it fails: .ci/run installs
// chromium.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is the browser's path, or the test skips (fails under CI).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is missing (.ci/run installs it: apt-get install chromium); with CI set the browser tests do not skip")
	}
	t.Skip("chromium is missing (apt-get install chromium): the browser tests skip")
	return ""
}

// New starts a headless Chromium with a w x h viewport, closed when the
// test ends; every step on it must finish within three minutes.
func New(t testing.TB, w, h int64) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)), chromedp.NoSandbox,
		chromedp.WindowSize(int(w), int(h)),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "id-ID"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// WaitJS waits, up to 30 s, until the expression is true on the page, and
// returns how long that took.
func WaitJS(t testing.TB, ctx context.Context, what, expr string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("%s: %s: %v", what, expr, err)
	}
	return time.Since(start)
}
