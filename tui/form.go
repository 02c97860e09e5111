package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
)

// Form fields, in tab order.
const (
	fService = iota
	fName
	fNIK
	fPhone
	fNotes
	fPriority
	fDocs
	fieldCount
)

// fieldNames are the fields as queue.FieldError names them.
var fieldNames = [fieldCount]string{"service", "name", "nik", "phone", "notes", "priority", "documents"}

var priorityChoices = append([]queue.Priority{queue.PriorityNone}, queue.Priorities...)

const formLabelW = 12

// formPage is the new walk-in form. It is validated as it is typed, with
// the store's own rules, and saves nothing until every field is valid.
type formPage struct {
	c        common
	services []queue.Service // active ones
	svc      int             // index into services
	typed    string          // service code being typed
	inputs   [fieldCount]textinput.Model
	priority int
	cur      int
	errs     [fieldCount]string
	touched  [fieldCount]bool
	saving   bool
	done     *queue.Request  // the registration just saved: shown large
	docs     map[string]bool // the service's documents ticked as received
	doc      int             // the document the cursor is on
}

func newFormPage(c common) *formPage {
	f := &formPage{c: c, docs: map[string]bool{}}
	for i := range f.inputs {
		f.inputs[i] = c.fieldInput(120)
	}
	f.inputs[fNIK].CharLimit = 20
	f.inputs[fPhone].CharLimit = 20
	f.inputs[fNotes].CharLimit = queue.MaxNotesLen
	return f
}

// fieldInput is a text field of the forms (the walk-in's and identify's).
func (c common) fieldInput(limit int) textinput.Model {
	in := c.th.newInput()
	in.Prompt = ""
	in.CharLimit = limit
	// The cursor stays lit: the UI never sends the inputs blink ticks.
	in.Cursor.SetMode(cursor.CursorStatic)
	return in
}

// inputBox renders a text field of the forms, w cells wide.
func (c common) inputBox(in textinput.Model, focused bool, w int) string {
	view := in.View()
	if focused && c.th.noColour() {
		view = plainInput(in, w)
	}
	return "[" + pad(view, w+1) + "]"
}

// formRow is one field of the forms: the focus marker, the label, the
// value and, under it, what is wrong with it.
func (c common) formRow(label, value string, focused bool, errText string) string {
	// The focus shows without colour too: a marker before the label.
	mark := "  "
	label = pad(label, formLabelW)
	if focused {
		mark = "▶ "
		label = c.th.Focus.Render(label)
	}
	row := mark + label + " " + value + "\n"
	if errText != "" {
		row += strings.Repeat(" ", formLabelW+3) + c.th.Error.Render("✗ "+errText) + "\n"
	}
	return row
}

// identityErrs checks a name, NIK and phone with the store's validators,
// the rules of registration.
func identityErrs(name, nik, phone string) [3]error {
	_, en := queue.ValidateName(name)
	_, ek := queue.ValidateNIK(nik)
	_, ep := queue.NormalizePhone(phone)
	return [3]error{en, ek, ep}
}

func (f *formPage) setSize(w, h int) {
	f.c.setSize(w, h)
	for i := range f.inputs {
		f.inputs[i].Width = f.inputWidth()
	}
}

func (f *formPage) inputWidth() int { return max(10, min(60, f.c.width-formLabelW-8)) }

// typing: the form takes every key (its fields are text).
func (f *formPage) typing() bool { return true }

func (f *formPage) setServices(all []queue.Service) {
	f.services = f.services[:0]
	for _, s := range all {
		if s.Active {
			f.services = append(f.services, s)
		}
	}
	f.svc = min(f.svc, max(0, len(f.services)-1))
}

// dirty reports whether the form holds input that was not saved.
func (f *formPage) dirty() bool {
	if f.done != nil {
		return false
	}
	for _, i := range []int{fName, fNIK, fPhone, fNotes} {
		if strings.TrimSpace(f.inputs[i].Value()) != "" {
			return true
		}
	}
	return false
}

func (f *formPage) reset() {
	for i := range f.inputs {
		f.inputs[i].SetValue("")
	}
	f.errs, f.touched = [fieldCount]string{}, [fieldCount]bool{}
	f.priority, f.cur, f.typed, f.saving, f.done = 0, fService, "", false, nil
	f.docs, f.doc = map[string]bool{}, 0
}

// documents are the documents the chosen service requires.
func (f *formPage) documents() []string {
	if f.svc < len(f.services) {
		return f.services[f.svc].Documents
	}
	return nil
}

func (f *formPage) setFocus(i int) tea.Cmd {
	f.cur = (i + fieldCount) % fieldCount
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

func (f *formPage) request() queue.NewRequest {
	in := queue.NewRequest{
		Name: f.inputs[fName].Value(), NIK: f.inputs[fNIK].Value(), Phone: f.inputs[fPhone].Value(),
		Notes: f.inputs[fNotes].Value(), Priority: priorityChoices[f.priority],
	}
	if f.svc < len(f.services) {
		in.Service = f.services[f.svc].Code
	}
	for _, d := range f.documents() {
		if f.docs[d] {
			in.DocumentsReceived = append(in.DocumentsReceived, d)
		}
	}
	return in
}

// validate checks every field with the store's validators; errors show for
// touched fields (or all, after a submit).
func (f *formPage) validate() bool {
	in := f.request()
	f.errs = [fieldCount]string{}
	check := func(i int, err error) {
		if err != nil {
			f.errs[i] = f.reason(err)
		}
	}
	if in.Service == "" {
		f.errs[fService] = f.c.t.S("err.service")
	}
	ids := identityErrs(in.Name, in.NIK, in.Phone)
	check(fName, ids[0])
	check(fNIK, ids[1])
	check(fPhone, ids[2])
	_, err := queue.ValidateNotes(in.Notes)
	check(fNotes, err)
	for _, e := range f.errs {
		if e != "" {
			return false
		}
	}
	return true
}

// reason says in the UI's language what is wrong with a field.
func (f *formPage) reason(err error) string { return f.c.fieldReason(err) }

// fieldReason says in the UI's language what is wrong with a field.
func (c common) fieldReason(err error) string {
	var fe *queue.FieldError
	if errors.As(err, &fe) && fe.Code != "" && c.t.Has("err."+fe.Code) {
		return c.t.S("err." + fe.Code)
	}
	return c.errText(err)
}

func (f *formPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	switch msg := msg.(type) {
	case shownMsg:
		if f.done != nil {
			f.reset()
		}
		return f.setFocus(f.cur), nil
	case servicesLoadedMsg:
		f.setServices(msg.svcs)
	case registeredMsg:
		return f.registered(msg)
	case dupCheckedMsg:
		return f.checked(msg)
	case tea.KeyMsg:
		return f.key(msg)
	}
	return nil, nil
}

func (f *formPage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k := f.c.keys
	if f.done != nil { // the big ticket is showing
		switch {
		case key.Matches(msg, k.New):
			f.reset()
			return f.setFocus(fService), nil
		case key.Matches(msg, k.Open), key.Matches(msg, k.Back):
			f.reset()
			return nil, goTo(screenQueue)
		case key.Matches(msg, k.Receipt):
			return f.c.reprint(*f.done)
		}
		return nil, nil
	}
	if f.saving {
		return nil, nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		return nil, goTo(screenQueue)
	case key.Matches(msg, k.Submit), key.Matches(msg, k.Open) && f.cur == fieldCount-1:
		return f.submit()
	case key.Matches(msg, k.NextField), key.Matches(msg, k.Open):
		f.touched[f.cur] = true
		f.validate()
		return f.setFocus(f.cur + 1), nil
	case key.Matches(msg, k.PrevField):
		f.touched[f.cur] = true
		f.validate()
		return f.setFocus(f.cur - 1), nil
	}
	switch f.cur {
	case fService:
		before := f.svc
		f.serviceKey(msg)
		if f.svc != before {
			f.docs, f.doc = map[string]bool{}, 0 // another service, another list
		}
		return nil, nil
	case fDocs:
		n := len(f.documents())
		switch {
		case n == 0:
		case key.Matches(msg, k.ListUp):
			f.doc = max(0, f.doc-1)
		case key.Matches(msg, k.ListDown):
			f.doc = min(n-1, f.doc+1)
		case key.Matches(msg, k.DocToggle):
			d := f.documents()[min(f.doc, n-1)]
			f.docs[d] = !f.docs[d]
		}
		return nil, nil
	case fPriority:
		switch n := len(priorityChoices); {
		case key.Matches(msg, k.ChoicePrev):
			f.priority = (f.priority + n - 1) % n
		case key.Matches(msg, k.ChoiceNext):
			f.priority = (f.priority + 1) % n
		}
		return nil, nil
	}
	var cmd tea.Cmd
	f.inputs[f.cur], cmd = f.inputs[f.cur].Update(msg)
	if strings.TrimSpace(f.inputs[f.cur].Value()) != "" {
		f.touched[f.cur] = true
	}
	f.validate()
	return cmd, nil
}

// serviceKey moves through the services with the arrows, or picks one by
// typing its code (one or two letters).
func (f *formPage) serviceKey(msg tea.KeyMsg) {
	k, n := f.c.keys, len(f.services)
	if n == 0 {
		return
	}
	switch {
	case key.Matches(msg, k.ServicePrev):
		f.svc = (f.svc + n - 1) % n
		f.typed = ""
		return
	case key.Matches(msg, k.ServiceNext):
		f.svc = (f.svc + 1) % n
		f.typed = ""
		return
	case key.Matches(msg, k.ClearCode):
		f.typed = ""
		return
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return
	}
	c := strings.ToUpper(string(msg.Runes))
	if c < "A" || c > "Z" {
		return
	}
	for _, try := range []string{f.typed + c, c} {
		for i, s := range f.services {
			if s.Code == try {
				f.svc, f.typed = i, try
				if len(try) == 2 {
					f.typed = ""
				}
				return
			}
		}
	}
}

func (f *formPage) submit() (tea.Cmd, []tea.Msg) {
	for i := range f.touched {
		f.touched[i] = true
	}
	if !f.validate() {
		return nil, warn(f.c.t.S("form.invalid"))
	}
	f.saving = true
	in := f.request()
	if check := f.c.checkSameDay(in); check != nil {
		return check, say(f.c.t.S("form.saving"))
	}
	return f.c.register(in), say(f.c.t.S("form.saving"))
}

// checked saves the request, or first asks when the same NIK was
// registered for the same service today: a warning, not a refusal (a
// second matter is possible; a no-show may rather be reopened).
func (f *formPage) checked(msg dupCheckedMsg) (tea.Cmd, []tea.Msg) {
	if msg.err != nil || len(msg.found) == 0 {
		// A check that failed does not stop a registration.
		return f.c.register(msg.in), nil
	}
	f.saving = false
	t := f.c.t
	var seen []string
	for _, r := range msg.found {
		seen = append(seen, r.Ticket+" ("+t.S("status."+string(r.Status))+")")
	}
	return nil, ask(t.S("confirm.duplicate", msg.in.Service, strings.Join(seen, ", ")), f.c.register(msg.in))
}

// registered shows the new ticket large and prints its receipt; the queue
// reloads on the change notification.
func (f *formPage) registered(msg registeredMsg) (tea.Cmd, []tea.Msg) {
	t := f.c.t
	f.saving = false
	if msg.err != nil {
		var fe *queue.FieldError
		if errors.As(msg.err, &fe) {
			for i, name := range fieldNames {
				if name == fe.Field {
					f.errs[i] = f.reason(msg.err)
				}
			}
		}
		return nil, f.c.failed(msg.err)
	}
	r := msg.req
	f.done = &r
	return f.c.printReceipt(r), say(t.S("msg.registered", r.Ticket) + " · " + t.S("receipt.working", r.Ticket))
}

func (f *formPage) view() string {
	c, th, t := f.c, f.c.th, f.c.t
	if f.done != nil {
		r := f.done
		return "\n" + th.BigLabel.Render("  "+t.S("form.ticket")) + "\n" +
			indent(th.Big.Render(bigText(r.Ticket)), 2) + "\n" +
			th.BigLabel.Render("  "+t.S("form.tracking")) + "  " + th.Label.Render(r.TrackingCode) + "\n" +
			"  " + clean(r.Name) + " · " + c.serviceName(r.Service) + "\n\n  " + th.Muted.Render(t.S("form.again"))
	}
	inputW := f.inputWidth()
	var b strings.Builder
	b.WriteByte('\n')
	labels := [fieldCount]string{t.S("form.service"), t.S("form.name"), t.S("form.nik"), t.S("form.phone"),
		t.S("form.notes"), t.S("form.priority"), t.S("form.docs")}
	for i := 0; i < fieldCount; i++ {
		var value string
		switch i {
		case fService:
			if f.svc < len(f.services) {
				s := f.services[f.svc]
				value = "◀ " + s.Code + " " + clean(s.Name(t.Lang())) + " ▶"
			}
			if i == f.cur {
				value += "  " + th.Muted.Render(t.S("form.hint.service"))
			}
		case fPriority:
			p := priorityChoices[f.priority]
			name := t.S("prio.none")
			if p != queue.PriorityNone {
				name = t.S("prio." + string(p))
			}
			value = "◀ " + name + " ▶"
			if i == f.cur {
				value += "  " + th.Muted.Render(t.S("form.hint.prio"))
			}
		case fDocs:
			value = f.docsView(i == f.cur)
		default:
			value = c.inputBox(f.inputs[i], i == f.cur, inputW)
		}
		errText := ""
		if f.touched[i] {
			errText = f.errs[i]
		}
		b.WriteString(c.formRow(labels[i], value, i == f.cur, errText))
	}
	return b.String()
}

// docsView is the service's documents as boxes to tick, one a line, the
// first beside the label.
func (f *formPage) docsView(focused bool) string {
	t, th := f.c.t, f.c.th
	docs := f.documents()
	if len(docs) == 0 {
		return th.Muted.Render(t.S("form.docs.none"))
	}
	w := max(10, f.c.width-formLabelW-12)
	var lines []string
	for i, d := range docs {
		box := "[ ] "
		if f.docs[d] {
			box = "[x] "
		}
		line := box + truncate(clean(d), w)
		cur := "  "
		if focused && i == f.doc {
			cur = "› "
			line = th.Focus.Render(line)
		}
		lines = append(lines, cur+line)
	}
	out := strings.Join(lines, "\n"+strings.Repeat(" ", formLabelW+3))
	if focused {
		out += "\n" + strings.Repeat(" ", formLabelW+5) + th.Muted.Render(t.S("form.hint.docs"))
	}
	return out
}

// bigText spaces a ticket out so it reads from across the desk.
func bigText(s string) string {
	return strings.Join(strings.Split(s, ""), " ")
}

func (f *formPage) ShortHelp() []key.Binding {
	k := f.c.keys
	if f.done != nil {
		back := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", f.c.t.S("key.queue")))
		return []key.Binding{back, k.New, k.Receipt}
	}
	return []key.Binding{k.Submit, k.Cancel, k.NextField, k.PrevField}
}

func (f *formPage) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
