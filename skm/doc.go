// Package skm is the public-satisfaction survey every public-service unit
// must hold (Survei Kepuasan Masyarakat, Peraturan Menteri PANRB No. 14
// Tahun 2017): its nine elements, its four-point scale, one applicant's
// answer and its validation, the index (IKM) and its quality category, and
// the figures of many answers per element, service, office and month, as
// text and CSV. It is pure: no I/O beyond the io.Writer it is given, no
// database, network or PDF code (queue/deps_test.go checks this); the
// one-page PDF report is package report's (report.RenderSKM).
//
// # The survey
//
// The nine elements (unsur) U1..U9 are the regulation's: persyaratan;
// sistem, mekanisme dan prosedur; waktu penyelesaian; biaya/tarif; produk
// spesifikasi jenis pelayanan; kompetensi pelaksana; perilaku pelaksana;
// penanganan pengaduan, saran dan masukan; sarana dan prasarana. Each is
// scored 1 (tidak baik), 2 (kurang baik), 3 (baik) or 4 (sangat baik); an
// answer scores all nine. The respondent data are the regulation's form's,
// each from a closed list and each optional ("" is not stated): age group,
// sex, education, occupation. None identifies anyone; the optional comment
// is free text with the rules of names (no control characters, at most
// [MaxCommentLen] characters) and may not hold a run of ten or more digits
// (a NIK or a phone number typed into it), so that no answer carries
// personal data.
//
// # The index
//
// The regulation weights each element's average (nilai rata-rata, NRR) by
// 1/9 and scales the sum by 25 (IKM = Σ NRRᵢ × 1/9 × 25). Its tables print
// the weight as 0.111, and offices that compute with 0.111 publish an index
// 0.1% too low: answers averaging 3.11 give 77.78 with ninths and 77.70
// with 0.111, and near a category boundary the rounded weight moves an
// office down a category. This package computes exactly, with integers:
// every answer scores every element, so with n respondents and T the sum of
// all their scores, IKM = 25·T / (9·n), kept as a fraction ([Ratio]).
//
// The categories are those of the regulation's table on the 25–100 scale:
// A (Sangat Baik) 88.31–100, B (Baik) 76.61–88.30, C (Kurang Baik)
// 65.00–76.60, D (Tidak Baik) 25.00–64.99. Its bounds have two decimals
// with gaps between them (88.30 | 88.31), so the index is first rounded to
// two decimals, half up, as the regulation publishes it, and the rounded
// value is categorised: an exact 88.305 is published as 88.31 and is A, an
// exact 88.3049 as 88.30 and is B. Each element's category is that of its
// NRR × 25 in the same way. NRR is shown to two decimals.
//
// # How answers are stored (for the store and the sync protocol)
//
// One answer per request, keyed by the request's ID: the applicant proves
// the request with its tracking code (on the centre's /skm/{code} page or
// the hub's tablet page /survey), once the request is done, and a second
// answer for the same request is refused (the first one stands).
//
// On a counter or hub an answer is an event of type [EventType]
// ("survey.answered", queue.EventSurveyed) in the request's event log,
// synced like every other event. Its Data ([EventData]) is the [Answer] as
// JSON after [Answer.Validate] WITHOUT its comment: the request ID, the
// tracking code, the service, office and station, the time, the nine
// scores and the respondent data, plus "personal_digest", the digest of
// the comment's personal part ([CommentPart]: a queue.Personal with 16
// random key bytes and Notes = the comment). The comment travels beside
// the event in Event.Personal (Notes only), like a request's personal
// part, so the request's erasure (request.erased: loket purge, forget)
// takes the comment too; the scores and respondent data stay, and the
// figures do not change. [FromEvent] reads an answer back from an event
// and its personal part. Nothing in an answer is copied from the
// request's identity.
//
// At the centre an answer given by phone is stored by the centre itself
// (not a station event) beside the requests; a station's survey.answered
// is stored there too, the first answer of a request kept and a later one
// from elsewhere (a phone and a tablet before a sync) ignored without
// refusing the station's batch. The figures ([Summarize]) are computed
// from the answers read back, in any order; should two answers of one
// request ever meet, the earliest counts and the other is counted in
// [Summary].Duplicates.
package skm
