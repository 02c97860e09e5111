// Package waitingroom is the waiting room's web pages: the display board
// (a TV in Chromium's kiosk mode) with spoken calls, and the ticket kiosk
// (a touch screen). The office hub mounts [Server.Handler] and runs
// [Server.Run]; the pages are plain HTML, CSS and JS embedded in the
// binary (no build step, nothing from the internet).
//
// # The board
//
// One goroutine follows the store's event log ([store.Store.Subscribe],
// then tx.Events after the last sequence number it read), so a call made
// any way (the terminal UI, `loket call`, another process through the
// owner socket) reaches it. It keeps the board's state: today's newest
// calls and the number waiting per active service, and broadcasts every
// change to the connected boards over server-sent events. Each board's
// handler reads a bounded buffer of its own; publishing never waits, and a
// board that falls a buffer behind is dropped (its page reconnects and gets
// the whole state again). The counters pay one non-blocking notification
// per change, whatever the number of boards.
//
// Every connection starts with the whole state, so a page shows what is
// current after a reload, a network drop or a server restart. Calls are
// announced (spoken) only in the message that brings them: a reload
// announces nothing; a reconnect (EventSource's Last-Event-ID) announces
// the calls it missed from the last two minutes. A recall is a new call.
// The page plays the calls one after another from a queue
// (/board/audio: the WAV of package speech for the ticket and the
// counter's code).
//
// What a board receives has no personal data: the types [State], [Call]
// and [Line] have no field for a name, NIK, phone or tracking code.
//
// # The kiosk
//
// One touch on a service (with a priority category, if any) registers a
// walk-in without identity (store.RegisterWalkIn, under an idempotency key
// the page makes, so a retry after a lost answer gives the same number),
// shows the slip on screen and loads the 80 mm slip PDF
// (receipts.Slip) into a frame that prints it (Chromium's
// --kiosk-printing prints without a dialog). A kiosk may take at most
// KioskConfig.TicketsPerMinute numbers a minute (429 beyond).
//
// # Devices
//
// Every path needs a device token of its role ([Devices]: the hub's
// registry; [MemoryDevices] for tests): board pages a board's, kiosk pages
// a kiosk's (another role is 403, none or an unknown one 401). The token
// comes once in the URL (?t=), is then kept in an HttpOnly, SameSite=Strict
// cookie scoped to /board or /kiosk, and the page reloads without it.
package waitingroom
