package skm

import (
	"strconv"
)

// EventType is the type of the event that records an answer in a
// request's event log (see the package comment).
const EventType = "survey.answered"

// NumElements is the number of the regulation's elements (unsur).
const NumElements = 9

// Element is one of the nine elements, 0 for U1 to 8 for U9.
type Element int

// The elements in the regulation's order.
const (
	Requirements Element = iota // U1 persyaratan
	Procedure                   // U2 sistem, mekanisme dan prosedur
	Time                        // U3 waktu penyelesaian
	Cost                        // U4 biaya/tarif
	Product                     // U5 produk spesifikasi jenis pelayanan
	Competence                  // U6 kompetensi pelaksana
	Behaviour                   // U7 perilaku pelaksana
	Complaints                  // U8 penanganan pengaduan, saran dan masukan
	Facilities                  // U9 sarana dan prasarana
)

// Elements are the nine elements in order, for ranging over.
var Elements = [NumElements]Element{Requirements, Procedure, Time, Cost, Product, Competence, Behaviour, Complaints, Facilities}

// Code is the element's name on the form and in the tables: "U1".."U9";
// its text in a language is i18n's "skm.elem." + Code().
func (e Element) Code() string { return "U" + strconv.Itoa(int(e)+1) }

// The four points of the scale.
const (
	NotGood   = 1 // tidak baik
	LessGood  = 2 // kurang baik
	Good      = 3 // baik
	VeryGood  = 4 // sangat baik
	MinScore  = NotGood
	MaxScore  = VeryGood
	NumPoints = MaxScore - MinScore + 1
)

// Scale are the points of the scale as i18n names them ("skm.scale." +
// the point), lowest first.
var Scale = []string{"1", "2", "3", "4"}

// The respondent data of the regulation's form, each a closed list; ""
// (not stated) is allowed in every field. Their texts are i18n's
// "skm.age.", "skm.sex.", "skm.edu." and "skm.job." + the code.
var (
	AgeGroups   = []string{"u20", "20-29", "30-39", "40-49", "50-59", "60+"}
	Sexes       = []string{"m", "f"}
	Educations  = []string{"sd", "smp", "sma", "diploma", "s1", "s2", "s3"}
	Occupations = []string{"pns", "tni", "polri", "swasta", "wirausaha", "lainnya"}
)
