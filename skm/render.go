package skm

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/csvsafe"
)

// Bys are the breakdowns the text and CSV forms take: the elements (the
// default), or the index by service, office or month.
var Bys = []string{"element", "service", "office", "month"}

// CheckBy tells whether by is one of Bys ("" is "element").
func CheckBy(by string) error {
	switch by {
	case "", "element", "service", "office", "month":
		return nil
	}
	return fmt.Errorf("--by %q is not element, service, office or month", by)
}

// Groups is the breakdown by: the service, office or month groups; nil
// for "element".
func (s Summary) Groups(by string) ([]Group, error) {
	if err := CheckBy(by); err != nil {
		return nil, err
	}
	switch by {
	case "service":
		return s.ByService, nil
	case "office":
		return s.ByOffice, nil
	case "month":
		return s.ByMonth, nil
	}
	return nil, nil
}

// ElementName is the element's name in t's language ("Persyaratan").
func ElementName(t i18n.Text, e Element) string { return t.S("skm.elem." + e.Code()) }

// CategoryName is the category's quality name in t's language
// ("Sangat Baik"), NoData for no category.
func CategoryName(t i18n.Text, c Category) string {
	if c == "" {
		return NoData
	}
	return t.S("skm.cat." + string(c))
}

// ScaleName is the name of a point of the scale ("sangat baik" for 4).
func ScaleName(t i18n.Text, point int) string { return t.S("skm.scale." + strconv.Itoa(point)) }

// ChoiceName is the text of a code of the respondent data in t's
// language: field is "age", "sex", "education" or "occupation"; "" is
// "not stated".
func ChoiceName(t i18n.Text, field, code string) string {
	if code == "" {
		return t.S("skm.unstated")
	}
	switch field {
	case "age":
		return t.S("skm.age." + code)
	case "sex":
		return t.S("skm.sex." + code)
	case "education":
		return t.S("skm.edu." + code)
	case "occupation":
		return t.S("skm.job." + code)
	}
	return code
}

// FieldName is the name of a question of the respondent data.
func FieldName(t i18n.Text, field string) string {
	switch field {
	case "age":
		return t.S("skm.field.age")
	case "sex":
		return t.S("skm.field.sex")
	case "education":
		return t.S("skm.field.education")
	}
	return t.S("skm.field.occupation")
}

// Fields are the respondent data's questions in the order forms
// show them, each with its counts in p.
func (p Profile) Fields() []struct {
	Field  string
	Counts []Count
} {
	return []struct {
		Field  string
		Counts []Count
	}{{"sex", p.Sex}, {"age", p.Age}, {"education", p.Education}, {"occupation", p.Occupation}}
}

// Period is the summary's days as people read them: "2026-11-01 ..
// 2026-11-30", one day alone, or "all dates" when the filter has none.
func (s Summary) Period(t i18n.Text) string {
	switch {
	case s.From == "" && s.To == "":
		return t.S("cmd.stats.skm.alldays")
	case s.From == s.To:
		return s.From
	}
	or := func(d string) string {
		if d == "" {
			return "…"
		}
		return d
	}
	return or(s.From) + " .. " + or(s.To)
}

// WriteText writes the survey's figures for a terminal in t's language:
// respondents, index and category, the table of the nine elements, the
// breakdown by (service, office or month; none for "element"), and who
// answered.
func (s Summary) WriteText(w io.Writer, by string, t i18n.Text) error {
	groups, err := s.Groups(by)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, t.S("cmd.stats.skm.title", s.Period(t))+"\n")
	if s.Total.Respondents == 0 {
		fmt.Fprintln(w, t.S("cmd.stats.skm.none"))
	} else {
		c := s.Total.Category()
		fmt.Fprintln(w, t.S("cmd.stats.skm.index", s.Total.Respondents, s.Total.IKM(), c, CategoryName(t, c)))
	}
	if s.Duplicates > 0 || s.Invalid > 0 {
		fmt.Fprintln(w, t.S("cmd.stats.skm.uncounted", s.Duplicates, s.Invalid))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t.S("cmd.stats.skm.elemhead")+"\t")
	for _, e := range Elements {
		c := CategoryOf(s.Total.ElementIndex(e))
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t\n", e.Code(), ElementName(t, e), s.Total.NRR(e), s.Total.ElementIndex(e), orNoData(string(c)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if groups != nil {
		var byName string
		switch by {
		case "office":
			byName = t.S("cmd.stats.by.office")
		case "month":
			byName = t.S("cmd.stats.by.month")
		default:
			byName = t.S("cmd.stats.by.service")
		}
		fmt.Fprintln(w, "\n"+t.S("cmd.stats.by", byName))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(byName)+"\t"+t.S("cmd.stats.skm.grouphead")+"\t")
		for _, g := range groups {
			c := g.Tally.Category()
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", orNoData(g.Key), g.Tally.Respondents, g.Tally.IKM(), orNoData(string(c)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if s.Total.Respondents > 0 {
		fmt.Fprintln(w, "\n"+t.S("cmd.stats.skm.profile"))
		for _, f := range s.Profile.Fields() {
			var parts []string
			for _, c := range f.Counts {
				parts = append(parts, ChoiceName(t, f.Field, c.Key)+" "+strconv.Itoa(c.N))
			}
			fmt.Fprintln(w, "  "+FieldName(t, f.Field)+": "+strings.Join(parts, ", "))
		}
	}
	return nil
}

func orNoData(s string) string {
	if s == "" {
		return NoData
	}
	return s
}

// WriteCSV writes the figures as CSV, without words of any language: by
// "element" (or "") a row per element (code, respondents, sum, NRR, its
// value × 25, category) and a last row "IKM"; by service, office or month
// a row per group (key, respondents, IKM, category, the nine NRR). Values
// have two decimals, as published; a key that a spreadsheet would run as a
// formula gets a quote in front (internal/csvsafe).
func (s Summary) WriteCSV(w io.Writer, by string) error {
	groups, err := s.Groups(by)
	if err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	if groups == nil {
		_ = cw.Write([]string{"element", "respondents", "sum", "nrr", "index", "category"})
		n := strconv.Itoa(s.Total.Respondents)
		for _, e := range Elements {
			_ = cw.Write([]string{e.Code(), n, strconv.Itoa(s.Total.Sums[e]), csvValue(s.Total.NRR(e)),
				csvValue(s.Total.ElementIndex(e)), string(CategoryOf(s.Total.ElementIndex(e)))})
		}
		total := 0
		for _, x := range s.Total.Sums {
			total += x
		}
		_ = cw.Write([]string{"IKM", n, strconv.Itoa(total), "", csvValue(s.Total.IKM()), string(s.Total.Category())})
	} else {
		head := []string{by, "respondents", "ikm", "category"}
		for _, e := range Elements {
			head = append(head, "nrr_"+strings.ToLower(e.Code()))
		}
		_ = cw.Write(head)
		for _, g := range groups {
			row := []string{g.Key, strconv.Itoa(g.Tally.Respondents), csvValue(g.Tally.IKM()), string(g.Tally.Category())}
			for _, e := range Elements {
				row = append(row, csvValue(g.Tally.NRR(e)))
			}
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvValue is a value with two decimals, "" for none.
func csvValue(r Ratio) string {
	if !r.Valid() {
		return ""
	}
	return r.String()
}

// Write writes the summary as `stats --skm --format F --by B` prints it,
// for the counter's and the central server's commands alike: format json
// (indented), csv, or text in t's language.
func (s Summary) Write(w io.Writer, format, by string, t i18n.Text) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case "csv":
		return s.WriteCSV(w, by)
	}
	return s.WriteText(w, by, t)
}
