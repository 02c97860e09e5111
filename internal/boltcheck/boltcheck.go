// Package boltcheck looks at a bbolt file's structure before bbolt is let
// near it. bbolt trusts its file: a truncated file or a damaged meta or
// freelist page makes it read past the end of its memory map (a fatal
// SIGSEGV that no recover catches) or panic while opening. Verify reads the
// file with ordinary bounds-checked reads (through a read-only map of its
// own for a file of at most MapMax bytes), checks every number bbolt would
// follow blindly, and says in words what is wrong. It never writes and
// never imports bbolt: it knows bbolt's on-disk layout (file format
// version 2), which is fixed.
//
// Used by the counter's store and by the central server's storage, each for
// its own file.
package boltcheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"time"
)

// ErrDamaged is a file whose structure is broken: it must not be opened.
var ErrDamaged = errors.New("the database file is damaged")

// ErrLocked is a database file another process holds (bbolt's lock timed
// out). The counter's store and the central server's storage return it, so
// the programs forward a command to the process that holds the file.
var ErrLocked = errors.New("database is locked by another process")

// What Verify checks, for messages.
const (
	checkedQuick = "both meta pages (magic, version, page size, checksum), the file size against the high-water mark, the root page and the freelist"
	checkedWalk  = checkedQuick + ", and every page in use (header, elements, not on the freelist)"
	checkedDeep  = checkedWalk + ", and the order of every key"
)

// Advice is what to do about a damaged file.
const Advice = "restore the newest good backup copy over it (check the copy with `check` first), keeping the damaged file aside"

// Error is a damaged file: which file and what is wrong with it.
type Error struct {
	Path    string
	Problem string
	Checked string // what was checked, "" when bbolt itself stopped on the file
}

func (e *Error) Error() string {
	if e.Checked == "" {
		return fmt.Sprintf("%s is damaged: %s; %s", e.Path, e.Problem, Advice)
	}
	return fmt.Sprintf("%s is damaged: %s (checked: %s); %s", e.Path, e.Problem, e.Checked, Advice)
}

// Is makes every Error match ErrDamaged.
func (e *Error) Is(target error) bool { return target == ErrDamaged }

// bbolt's on-disk layout (go.etcd.io/bbolt internal/common, format version 2).
const (
	magic         = 0xED0CDAED
	version       = 2
	pageHeader    = 16 // id u64, flags u16, count u16, overflow u32
	metaSize      = 64 // magic..checksum
	metaSumLen    = 56 // the checksum covers magic..txid
	branchFlag    = 0x01
	leafFlag      = 0x02
	metaFlag      = 0x04
	freelistFlag  = 0x10
	noFreelist    = ^uint64(0)
	minPageSize   = 512
	maxPageSize   = 1 << 24
	elementSize   = 16 // branch and leaf elements alike
	bucketLeaf    = 0x01
	inBucketSize  = 16 // root u64, sequence u64
	maxFreelistID = 1 << 28
)

var ne = binary.NativeEndian // bbolt writes its numbers in the machine's order

// Meta is one decoded meta page.
type Meta struct {
	PageSize uint32
	Root     uint64 // the root bucket's page
	Freelist uint64 // the freelist's page
	HighPage uint64 // the high-water mark: the first page id never used
	TxID     uint64
}

// Info is what Verify learnt about a sound file.
type Info struct {
	File fs.FileInfo // the file read (nil when there is none), to tell it from one put in its place since
	Size int64       // the file's size in bytes
	Meta Meta        // the meta page bbolt will use (the one with the higher transaction id)
	Free int         // pages on the freelist
	// RootLeaf: the root page is a leaf page (the root bucket's buckets
	// fit in one page), so that finding a bucket reads that page alone.
	RootLeaf bool
}

// Mode is how far Verify looks.
type Mode int

const (
	// Quick reads the meta pages, the root page and the freelist: a few
	// pages, whatever the file's size.
	Quick Mode = iota
	// Walk also follows every bucket's tree of pages from the root,
	// checking each page's header and element table, and that no page is
	// both in use and on the freelist (a write would overwrite it) or used
	// twice. It reads the header and element table of every page in use.
	Walk
	// Deep is Walk that also reads every key: the keys of each page in
	// order, and each page's keys inside the range its parent page gives
	// it (what bbolt's own Tx.Check verifies besides what Walk does). Walk
	// and Deep read a file larger than MapMax with ordinary reads, not
	// through a map, so that it does not become the process's resident
	// memory.
	Deep
)

// ErrBusy is a file another process holds for writing: its structure
// cannot be read reliably while that process writes.
var ErrBusy = errors.New("the database file is held by another process")

// Verify checks the structure of the bbolt file at path without modifying
// it: both meta pages, the file size against the high-water mark, the root
// page and the freelist page with every page id on it, and with Walk every
// page in use. A file that does not exist or is empty passes (bbolt creates
// it). It takes a shared lock on the file for the time it reads, waiting up
// to timeout for a process that holds it for writing (then ErrBusy).
// Anything wrong with the file is an *Error matching ErrDamaged; a file that
// cannot be read is another error.
func Verify(path string, mode Mode, timeout time.Duration) (Info, error) {
	return verify(path, mode, func(f *os.File) error { return lockShared(f, timeout) })
}

// VerifyHeld is Verify for the process that has the file open in bbolt: it
// takes no lock, and the caller keeps its own writers out while it runs
// (inside a bbolt write transaction), so that the file holds still.
func VerifyHeld(path string, mode Mode) (Info, error) {
	return verify(path, mode, func(*os.File) error { return nil })
}

// Guard runs fn, which reads the bbolt file at path on this goroutine,
// turning a panic (bbolt's own on a page it does not understand) or a
// memory fault (reading a mapped page the file no longer has) into an
// *Error. It is the last line behind Verify: bbolt's Tx.Check runs on a
// goroutine of its own, out of Guard's reach.
func Guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Path: path, Problem: fmt.Sprintf("reading it stopped on: %v", r)}
		}
	}()
	return fn()
}

func verify(path string, mode Mode, lock func(*os.File) error) (Info, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return Info{}, fmt.Errorf("read %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("read %s: %w", path, err)
	}
	v := &verifier{f: f, path: path, info: Info{File: fi, Size: fi.Size()}, checked: checkedQuick}
	switch mode {
	case Walk:
		v.checked = checkedWalk
	case Deep:
		v.checked = checkedDeep
	}
	if v.info.Size == 0 {
		return v.info, nil
	}
	if mode != Quick && v.info.Size <= MapMax {
		// A small file is read through a map, which costs no read call
		// and no copy; its pages may stay resident (at most MapMax
		// bytes). The file may not shrink under the shared lock, but
		// should it, the fault is caught.
		if v.data = mapFile(f, v.info.Size); v.data != nil {
			defer unmapFile(v.data)
		}
	}
	err = guardFault(path, func() error {
		err := v.quick()
		if err == nil && mode != Quick {
			err = v.walk(mode == Deep)
		}
		return err
	})
	return v.info, err
}

// guardFault is Guard for Verify's own reads of the map.
func guardFault(path string, fn func() error) error { return Guard(path, fn) }

type verifier struct {
	f       *os.File
	path    string
	info    Info
	ps      int64
	checked string
	buf     []byte // what readBuf read last
	data    []byte // the file mapped read-only (at most MapMax bytes), else nil
	free    bitmap
	nfree   uint64
}

func (v *verifier) damaged(format string, args ...any) error {
	return &Error{Path: v.path, Problem: fmt.Sprintf(format, args...), Checked: v.checked}
}

// read returns n bytes at off, read from the file.
func (v *verifier) read(off int64, n int) ([]byte, error) {
	if off < 0 || off+int64(n) > v.info.Size {
		return nil, v.damaged("a read of %d bytes at %d goes past the end of the file (%d bytes)", n, off, v.info.Size)
	}
	b := make([]byte, n)
	if _, err := v.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read %s: %w", v.path, err)
	}
	return b, nil
}

// readBuf is read into a buffer it reuses: what it returns holds until
// its next call.
func (v *verifier) readBuf(off int64, n int) ([]byte, error) {
	if off < 0 || off+int64(n) > v.info.Size {
		return nil, v.damaged("a read of %d bytes at %d goes past the end of the file (%d bytes)", n, off, v.info.Size)
	}
	if cap(v.buf) < n {
		v.buf = make([]byte, n)
	}
	b := v.buf[:n:n]
	if _, err := v.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read %s: %w", v.path, err)
	}
	return b, nil
}

func (v *verifier) quick() error {
	if v.info.Size < pageHeader+metaSize {
		return v.damaged("the file is %d bytes, too short to hold a meta page", v.info.Size)
	}
	b, err := v.read(0, pageHeader+metaSize)
	if err != nil {
		return err
	}
	m0, why := decodeMeta(b)
	if why != "" {
		return v.damaged("meta page 0: %s", why)
	}
	ps := int64(m0.PageSize)
	v.ps = ps
	if v.info.Size < 2*ps {
		return v.damaged("the file is %d bytes, shorter than its two meta pages of %d bytes", v.info.Size, ps)
	}
	if b, err = v.read(ps, pageHeader+metaSize); err != nil {
		return err
	}
	m1, why := decodeMeta(b)
	if why != "" {
		return v.damaged("meta page 1: %s", why)
	}
	if m1.PageSize != m0.PageSize {
		return v.damaged("the meta pages disagree on the page size (%d and %d bytes)", m0.PageSize, m1.PageSize)
	}
	v.info.Meta = m0
	if m1.TxID > m0.TxID {
		v.info.Meta = m1
	}
	m := v.info.Meta
	for i, mm := range []Meta{m0, m1} {
		if mm.HighPage < 3 || mm.HighPage > uint64(1<<62)/uint64(ps) {
			return v.damaged("meta page %d: high-water mark %d is impossible", i, mm.HighPage)
		}
		if mm.Root < 2 || mm.Root >= mm.HighPage {
			return v.damaged("meta page %d: root page %d is outside pages 2..%d", i, mm.Root, mm.HighPage-1)
		}
		if mm.Freelist != noFreelist && (mm.Freelist < 2 || mm.Freelist >= mm.HighPage) {
			return v.damaged("meta page %d: freelist page %d is outside pages 2..%d", i, mm.Freelist, mm.HighPage-1)
		}
	}
	if want := int64(m.HighPage) * ps; v.info.Size < want {
		return v.damaged("the file is %d bytes but its meta page says it holds %d pages of %d bytes (%d bytes): it was cut short",
			v.info.Size, m.HighPage, ps, want)
	}

	// The root page: a branch or leaf page that knows its own id.
	hdr, err := v.read(int64(m.Root)*ps, pageHeader)
	if err != nil {
		return err
	}
	id, flags, _, rootOverflow := decodeHeader(hdr)
	if flags != branchFlag && flags != leafFlag {
		return v.damaged("the root page %d is not a branch or leaf page (type %#x)", m.Root, flags)
	}
	if id != m.Root || m.Root+uint64(rootOverflow) >= m.HighPage {
		return v.damaged("the root page %d has a broken header (id %d, %d overflow pages)", m.Root, id, rootOverflow)
	}
	v.info.RootLeaf = flags == leafFlag

	// The freelist: a freelist page inside the file listing page ids
	// inside the file, each once.
	v.free = newBitmap(m.HighPage)
	if m.Freelist == noFreelist {
		return nil
	}
	if hdr, err = v.read(int64(m.Freelist)*ps, pageHeader+8); err != nil {
		return err
	}
	id, flags, count, overflow := decodeHeader(hdr)
	if flags != freelistFlag {
		return v.damaged("page %d, which the meta page names as the freelist, is not a freelist page (type %#x)", m.Freelist, flags)
	}
	if id != m.Freelist || m.Freelist+uint64(overflow) >= m.HighPage {
		return v.damaged("the freelist page %d has a broken header (id %d, %d overflow pages)", m.Freelist, id, overflow)
	}
	n, start := uint64(count), int64(pageHeader)
	if count == 0xFFFF {
		n, start = ne.Uint64(hdr[pageHeader:]), pageHeader+8
	}
	span := int64(overflow+1) * ps
	if n > maxFreelistID || start+int64(n)*8 > span {
		return v.damaged("the freelist page %d lists %d page ids, more than its %d bytes hold", m.Freelist, n, span)
	}
	ids, err := v.read(int64(m.Freelist)*ps+start, int(n)*8)
	if err != nil {
		return err
	}
	for i := uint64(0); i < n; i++ {
		p := ne.Uint64(ids[i*8:])
		if p < 2 || p >= m.HighPage {
			return v.damaged("the freelist names page %d, outside pages 2..%d", p, m.HighPage-1)
		}
		if p >= m.Freelist && p <= m.Freelist+uint64(overflow) || p >= m.Root && p <= m.Root+uint64(rootOverflow) {
			return v.damaged("the freelist names page %d, which is in use (the root or the freelist itself)", p)
		}
		if v.free.get(p) {
			return v.damaged("the freelist names page %d twice", p)
		}
		v.free.set(p)
		v.nfree++
	}
	v.info.Free = int(n)
	return nil
}

// walk follows every page in use from the root bucket; deep, it also
// checks the order of every key.
func (v *verifier) walk(deep bool) error {
	m := v.info.Meta
	used, nused := newBitmap(m.HighPage), uint64(0)
	claim := func(id uint64, overflow uint32, by uint64) error {
		for p := id; p <= id+uint64(overflow); p++ {
			if p < 2 || p >= m.HighPage {
				return v.damaged("page %d (named by page %d) is outside pages 2..%d", p, by, m.HighPage-1)
			}
			if v.free.get(p) {
				return v.damaged("page %d is in use (named by page %d) and on the freelist: a write would overwrite it", p, by)
			}
			if used.get(p) {
				return v.damaged("page %d is used twice (the second time named by page %d)", p, by)
			}
			used.set(p)
			nused++
		}
		return nil
	}
	if m.Freelist != noFreelist {
		hdr, err := v.read(int64(m.Freelist)*v.ps, pageHeader)
		if err != nil {
			return err
		}
		_, _, _, overflow := decodeHeader(hdr)
		if err := claim(m.Freelist, overflow, 0); err != nil {
			return err
		}
	}
	// The pages are read a level of the trees at a time (the root, the
	// pages it names, the pages those name...), each level in the order of
	// the file, neighbouring pages in one read: a few large reads instead
	// of one per page, and nothing mapped.
	level := []ref{{id: m.Root}}
	for len(level) > 0 {
		var next []ref
		err := v.readLevel(level, func(r ref, page []byte) error {
			id, flags, count, overflow := decodeHeader(page)
			if id != r.id {
				return v.damaged("page %d (named by page %d) says it is page %d", r.id, r.by, id)
			}
			if flags != branchFlag && flags != leafFlag {
				return v.damaged("page %d (named by page %d) is not a branch or leaf page (type %#x)", r.id, r.by, flags)
			}
			if r.id+uint64(overflow) >= m.HighPage {
				return v.damaged("page %d runs %d pages past the high-water mark", r.id, overflow)
			}
			if err := claim(r.id, overflow, r.by); err != nil {
				return err
			}
			if count == 0 && flags == branchFlag {
				return v.damaged("branch page %d is empty", r.id)
			}
			span := int64(overflow+1) * v.ps
			if int64(len(page)) < span { // the rest of an overflowing page
				var err error
				if page, err = v.read(int64(r.id)*v.ps, int(span)); err != nil {
					return err
				}
			}
			page = page[:span:span]
			children, problem := elements(page, span, flags, count)
			if problem != "" {
				return v.damaged("page %d: %s", r.id, problem)
			}
			var bounds [][]byte // deep, a branch page's children: the bounds of each
			if deep {
				if problem := keyOrder(page, flags, count, r.lo, r.hi); problem != "" {
					return v.damaged("page %d (named by page %d): %s", r.id, r.by, problem)
				}
				if flags == branchFlag {
					bounds = branchBounds(page, count, r.hi)
				}
			}
			for i, c := range children {
				if c.off < 0 { // a leaf's bucket whose header lies past what was read
					val, err := v.read(int64(r.id)*v.ps-c.off, inBucketSize)
					if err != nil {
						return err
					}
					c.id = ne.Uint64(val)
				}
				if c.id == 0 {
					continue
				}
				ref := ref{id: c.id, by: r.id}
				if bounds != nil { // a branch's children are its elements, in order
					ref.lo, ref.hi = bounds[i], bounds[i+1]
				}
				next = append(next, ref)
			}
			return nil
		})
		if err != nil {
			return err
		}
		level = next
	}
	if n := nused + v.nfree + 2; n != m.HighPage {
		return v.damaged("%d pages are in use, %d free and 2 meta pages, but the high-water mark is %d: pages are lost",
			nused, v.nfree, m.HighPage)
	}
	return nil
}

// ref is a page to read: its id, the page that names it, and (Deep) the
// range its keys must lie in, [lo, hi), hi nil for no bound.
type ref struct {
	id, by uint64
	lo, hi []byte
}

// Reads of a level: at most readRun bytes in one read, and pages at most
// readGap pages apart read in one (reading a few pages more costs less
// than another read).
const (
	readRun = 256 << 10
	readGap = 4
)

// readLevel reads the pages level names, in the order of the file, and
// calls fn with each ref and its bytes: at least its first page, the whole
// of an overflowing page when the same read held it. What fn gets holds
// until fn returns.
func (v *verifier) readLevel(level []ref, fn func(ref, []byte) error) error {
	high := v.info.Meta.HighPage
	if len(level) >= 1<<24 {
		return v.damaged("%d pages on one level of the trees, more than a file holds", len(level))
	}
	// The order of the file: the ids with their places packed in one
	// number each, sorted (sorting the refs moves pointers, slower).
	order := make([]uint64, len(level))
	for i, r := range level {
		if r.id < 2 || r.id >= high {
			return v.damaged("page %d (named by page %d) is outside pages 2..%d", r.id, r.by, high-1)
		}
		order[i] = r.id<<24 | uint64(i)
	}
	slices.Sort(order)
	at := func(i int) ref { return level[order[i]&(1<<24-1)] }
	if v.data != nil { // mapped: each page where it lies
		for i := range order {
			r := at(i)
			if err := fn(r, v.data[int64(r.id)*v.ps:]); err != nil {
				return err
			}
		}
		return nil
	}
	maxPages := uint64(max(1, readRun/v.ps))
	for i := 0; i < len(order); {
		first, last := at(i).id, at(i).id
		j := i + 1
		for ; j < len(order) && at(j).id <= last+readGap && at(j).id-first < maxPages; j++ {
			last = at(j).id
		}
		run, err := v.readBuf(int64(first)*v.ps, int(int64(last-first+1)*v.ps))
		if err != nil {
			return err
		}
		for k := i; k < j; k++ {
			r := at(k)
			if err := fn(r, run[int64(r.id-first)*v.ps:]); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// keyOrder says what is wrong with the order of the keys of a branch or
// leaf page whose element table elements has checked: each key after the
// one before it, the first at or after lo, the last before hi (nil: no
// bound). These are bbolt's own rules (Tx.Check). An inline bucket's keys
// are checked in order too.
func keyOrder(page []byte, flags, count uint16, lo, hi []byte) string {
	var prev []byte
	for i := 0; i < int(count); i++ {
		at := pageHeader + i*elementSize
		e := page[at:]
		var k []byte
		if flags == branchFlag {
			pos, ksize := int(ne.Uint32(e)), int(ne.Uint32(e[4:]))
			k = page[at+pos : at+pos+ksize]
		} else {
			eflags, pos, ksize, vsize := ne.Uint32(e), int(ne.Uint32(e[4:])), int(ne.Uint32(e[8:])), int(ne.Uint32(e[12:]))
			k = page[at+pos : at+pos+ksize]
			if eflags&bucketLeaf != 0 && vsize >= inBucketSize && ne.Uint64(page[at+pos+ksize:]) == 0 {
				inline := page[at+pos+ksize+inBucketSize : at+pos+ksize+vsize]
				_, iflags, icount, _ := decodeHeader(inline)
				if problem := keyOrder(inline, iflags, icount, nil, nil); problem != "" {
					return fmt.Sprintf("inline bucket %d: %s", i, problem)
				}
			}
		}
		switch {
		case len(k) == 0:
			return fmt.Sprintf("key %d is empty", i)
		case i > 0 && bytes.Compare(prev, k) >= 0:
			return fmt.Sprintf("key %d (%x) does not come after key %d (%x)", i, k, i-1, prev)
		case i == 0 && lo != nil && bytes.Compare(k, lo) < 0:
			return fmt.Sprintf("its first key (%x) comes before the key its parent page names it by (%x)", k, lo)
		case hi != nil && bytes.Compare(k, hi) >= 0:
			return fmt.Sprintf("key %d (%x) is not before the key of the next page in its parent page (%x)", i, k, hi)
		}
		prev = k
	}
	return ""
}

// branchBounds is, for a branch page whose keys keyOrder has checked, the
// range of each child's keys: child i's keys lie in [b[i], b[i+1]), with
// b[count] the page's own upper bound hi. The keys are copied (the page is
// a buffer read into again).
func branchBounds(page []byte, count uint16, hi []byte) [][]byte {
	n := 0
	for i := 0; i < int(count); i++ {
		n += int(ne.Uint32(page[pageHeader+i*elementSize+4:]))
	}
	keys := make([]byte, 0, n)
	b := make([][]byte, count+1)
	for i := 0; i < int(count); i++ {
		at := pageHeader + i*elementSize
		pos, ksize := int(ne.Uint32(page[at:])), int(ne.Uint32(page[at+4:]))
		start := len(keys)
		keys = append(keys, page[at+pos:at+pos+ksize]...)
		b[i] = keys[start:len(keys):len(keys)]
	}
	b[count] = hi
	return b
}

type bitmap []uint64

func newBitmap(n uint64) bitmap    { return make(bitmap, (n+63)/64) }
func (b bitmap) get(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitmap) set(i uint64)      { b[i/64] |= 1 << (i % 64) }

type child struct {
	id  uint64 // a child or bucket root page; 0 for an inline bucket
	off int64  // when < 0: the root is to be read at -off in the page
}

// elements checks the element table of a branch or leaf page (page holds
// at least its first page-size bytes, span is its whole length) and returns
// the pages it names: a branch page's children, a leaf page's bucket roots.
// An inline bucket's page, inside the leaf, is checked on the spot.
func elements(page []byte, span int64, flags, count uint16) ([]child, string) {
	if int64(pageHeader)+int64(count)*elementSize > min(span, int64(len(page))) {
		return nil, fmt.Sprintf("%d elements do not fit in the page", count)
	}
	var out []child
	for i := 0; i < int(count); i++ {
		at := int64(pageHeader + i*elementSize) // the element's offset in the page
		e := page[at:]
		if flags == branchFlag {
			pos, ksize, id := int64(ne.Uint32(e)), int64(ne.Uint32(e[4:])), ne.Uint64(e[8:])
			if at+pos+ksize > span {
				return nil, fmt.Sprintf("the key of element %d lies past the page's end", i)
			}
			if id == 0 {
				return nil, fmt.Sprintf("element %d names page 0", i)
			}
			out = append(out, child{id: id})
			continue
		}
		eflags, pos, ksize, vsize := ne.Uint32(e), int64(ne.Uint32(e[4:])), int64(ne.Uint32(e[8:])), int64(ne.Uint32(e[12:]))
		if at+pos+ksize+vsize > span {
			return nil, fmt.Sprintf("element %d lies past the page's end", i)
		}
		if eflags&bucketLeaf == 0 {
			continue
		}
		if vsize < inBucketSize {
			return nil, fmt.Sprintf("bucket %d has a %d-byte header", i, vsize)
		}
		vo := at + pos + ksize
		if vo+vsize > int64(len(page)) {
			out = append(out, child{off: -vo})
			continue
		}
		root := ne.Uint64(page[vo:])
		if root != 0 {
			out = append(out, child{id: root})
			continue
		}
		// An inline bucket: its own leaf page follows the bucket header.
		inline := page[vo+inBucketSize : vo+vsize]
		if len(inline) < pageHeader {
			return nil, fmt.Sprintf("inline bucket %d is %d bytes, too short for its page", i, len(inline))
		}
		_, iflags, icount, _ := decodeHeader(inline)
		if iflags != leafFlag {
			return nil, fmt.Sprintf("inline bucket %d is not a leaf page (type %#x)", i, iflags)
		}
		sub, problem := elements(inline, int64(len(inline)), iflags, icount)
		if problem != "" {
			return nil, fmt.Sprintf("inline bucket %d: %s", i, problem)
		}
		if len(sub) > 0 {
			return nil, fmt.Sprintf("inline bucket %d holds a bucket", i)
		}
	}
	return out, ""
}

func decodeHeader(b []byte) (id uint64, flags, count uint16, overflow uint32) {
	return ne.Uint64(b), ne.Uint16(b[8:]), ne.Uint16(b[10:]), ne.Uint32(b[12:])
}

// decodeMeta decodes a meta page (header included) and says what is wrong
// with it, "" if nothing.
func decodeMeta(b []byte) (Meta, string) {
	_, flags, _, _ := decodeHeader(b)
	mb := b[pageHeader:]
	m := Meta{
		PageSize: ne.Uint32(mb[8:]),
		Root:     ne.Uint64(mb[16:]),
		Freelist: ne.Uint64(mb[32:]),
		HighPage: ne.Uint64(mb[40:]),
		TxID:     ne.Uint64(mb[48:]),
	}
	h := fnv.New64a()
	h.Write(mb[:metaSumLen])
	switch {
	case ne.Uint32(mb) != magic:
		return m, "not a bbolt meta page (wrong magic number)"
	case ne.Uint32(mb[4:]) != version:
		return m, fmt.Sprintf("bbolt file format version %d, not %d", ne.Uint32(mb[4:]), version)
	case h.Sum64() != ne.Uint64(mb[metaSumLen:]):
		return m, "checksum mismatch"
	case flags != metaFlag:
		return m, fmt.Sprintf("page type %#x, not a meta page", flags)
	case m.PageSize < minPageSize || m.PageSize > maxPageSize || m.PageSize&(m.PageSize-1) != 0:
		return m, fmt.Sprintf("page size %d is impossible", m.PageSize)
	}
	return m, ""
}
