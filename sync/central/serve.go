package central

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve answers the sync protocol on ln until ctx ends, then shuts down
// gracefully (requests under way finish; their transactions are never cut).
// With certFile and keyFile it serves TLS.
func Serve(ctx context.Context, ln net.Listener, st Storage, log *slog.Logger, certFile, keyFile string) error {
	return ServeIn(ctx, ln, st, log, certFile, keyFile, nil)
}

// ServeIn is Serve with the offices' time zone for statistics (nil: local).
func ServeIn(ctx context.Context, ln net.Listener, st Storage, log *slog.Logger, certFile, keyFile string, loc *time.Location) error {
	srv := NewHTTPServer(ln.Addr().String(), (&Server{Storage: st, Log: log, Location: loc}).Handler())
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
