package tui

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// Identify fields, in tab order; identNames are them as queue.FieldError
// names them.
const (
	iName = iota
	iNIK
	iPhone
	identCount
)

var identNames = [identCount]string{"name", "nik", "phone"}

// identifyForm adds the applicant's identity to a walk-in who took a
// number at the kiosk without one; it opens over the request's detail and
// is validated as it is typed, with the rules of registration.
type identifyForm struct {
	req     queue.Request
	inputs  [identCount]textinput.Model
	errs    [identCount]string
	touched [identCount]bool
	cur     int
	saving  bool
}

// identifiedMsg is the answer of an identify.
type identifiedMsg struct {
	req queue.Request
	err error
}

func newIdentifyForm(c common, r queue.Request) (*identifyForm, tea.Cmd) {
	f := &identifyForm{req: r}
	for i := range f.inputs {
		f.inputs[i] = c.fieldInput(120)
		f.inputs[i].Width = identInputWidth(c)
	}
	f.inputs[iNIK].CharLimit = 20
	f.inputs[iPhone].CharLimit = 20
	return f, f.setFocus(iName)
}

func identInputWidth(c common) int { return max(10, min(60, c.width-formLabelW-8)) }

func (f *identifyForm) setFocus(i int) tea.Cmd {
	f.cur = (i + identCount) % identCount
	var cmd tea.Cmd
	for j := range f.inputs {
		if j == f.cur {
			cmd = f.inputs[j].Focus()
		} else {
			f.inputs[j].Blur()
		}
	}
	return cmd
}

func (f *identifyForm) identity() queue.Identity {
	return queue.Identity{Name: f.inputs[iName].Value(), NIK: f.inputs[iNIK].Value(), Phone: f.inputs[iPhone].Value()}
}

// validate checks every field; errors show for touched fields.
func (f *identifyForm) validate(c common) bool {
	id := f.identity()
	ok := true
	for i, err := range identityErrs(id.Name, id.NIK, id.Phone) {
		f.errs[i] = ""
		if err != nil {
			f.errs[i], ok = c.fieldReason(err), false
		}
	}
	return ok
}

// key is a key while the form is open; it answers the form, nil once it
// has closed, the command to run and the intents.
func (f *identifyForm) key(c common, msg tea.KeyMsg) (*identifyForm, tea.Cmd, []tea.Msg) {
	k := c.keys
	if f.saving {
		return f, nil, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return nil, nil, nil
	case key.Matches(msg, k.Submit), key.Matches(msg, k.Open) && f.cur == identCount-1:
		cmd, intents := f.submit(c)
		return f, cmd, intents
	case key.Matches(msg, k.NextField), key.Matches(msg, k.Open):
		f.touched[f.cur] = true
		f.validate(c)
		return f, f.setFocus(f.cur + 1), nil
	case key.Matches(msg, k.PrevField):
		f.touched[f.cur] = true
		f.validate(c)
		return f, f.setFocus(f.cur - 1), nil
	}
	var cmd tea.Cmd
	f.inputs[f.cur], cmd = f.inputs[f.cur].Update(msg)
	if f.inputs[f.cur].Value() != "" {
		f.touched[f.cur] = true
	}
	f.validate(c)
	return f, cmd, nil
}

// submit saves the identity once every field is valid, under a fresh
// idempotency key (a lost answer retried by the backend is not applied
// twice).
func (f *identifyForm) submit(c common) (tea.Cmd, []tea.Msg) {
	for i := range f.touched {
		f.touched[i] = true
	}
	if !f.validate(c) {
		return nil, warn(c.t.S("form.invalid"))
	}
	idf, ok := c.opt.Backend.(Identifier)
	if !ok {
		return nil, warn(c.t.S("identify.unavailable"))
	}
	f.saving = true
	ctx, by, ref, id, k := c.ctx, c.actor(), f.req.ID, f.identity(), ulid.Make().String()
	return func() tea.Msg {
		r, _, err := idf.Identify(ctx, k, ref, id, by)
		return identifiedMsg{r, err}
	}, say(c.t.S("form.saving"))
}

// failed marks the field the backend refused, if it names one.
func (f *identifyForm) failed(c common, err error) {
	f.saving = false
	var fe *queue.FieldError
	if errors.As(err, &fe) {
		for i, name := range identNames {
			if name == fe.Field {
				f.errs[i], f.touched[i] = c.fieldReason(err), true
			}
		}
	}
}

func (f *identifyForm) view(c common) string {
	t, th := c.t, c.th
	w := identInputWidth(c)
	out := "\n  " + th.Label.Render(t.S("identify.title", f.req.Ticket)) + "\n" +
		"  " + th.Muted.Render(t.S("identify.hint")) + "\n\n"
	labels := [identCount]string{t.S("form.name"), t.S("form.nik"), t.S("form.phone")}
	for i := range f.inputs {
		errText := ""
		if f.touched[i] {
			errText = f.errs[i]
		}
		out += c.formRow(labels[i], c.inputBox(f.inputs[i], i == f.cur, w), i == f.cur, errText)
	}
	return out
}
