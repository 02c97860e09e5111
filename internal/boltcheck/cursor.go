package boltcheck

import (
	"fmt"
	"os"
)

// Reader reads the keys and values of a bbolt file's buckets with ordinary
// reads (pread), not through a map: a pass over every record of a large
// file does not make the file the process's resident memory, as reading it
// through bbolt's map does (every page read stays mapped). A file of at
// most MapMax bytes, whose pages can stay resident, it reads through a
// read-only map of its own (where there is one), which costs no read call
// per page; a fault reading it (the file cut short under it) is for
// Guard to catch. It is for a
// file whose structure Verify (Deep) has found sound, read while the pages
// it reads hold still: under a bbolt read transaction of the snapshot that
// was verified, whose pages bbolt does not reuse while it is open. It still
// checks every offset it follows and stops with an error, never a panic.
type Reader struct {
	f    *os.File
	path string
	ps   int64
	size int64
	data []byte // the file mapped, nil when it is read
}

// MapMax is the size up to which Verify and a Reader read a file through a map
// (tests set it to 0 to read every file).
var MapMax int64 = 64 << 20

// OpenReader opens the bbolt file at path, of pages of pageSize bytes, for
// reading its buckets.
func OpenReader(path string, pageSize int) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if pageSize < minPageSize || pageSize > maxPageSize {
		f.Close()
		return nil, fmt.Errorf("read %s: page size %d is impossible", path, pageSize)
	}
	r := &Reader{f: f, path: path, ps: int64(pageSize), size: fi.Size()}
	if r.size <= MapMax {
		r.data = mapFile(f, r.size)
	}
	return r, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.data != nil {
		unmapFile(r.data)
		r.data = nil
	}
	return r.f.Close()
}

// read is the n bytes of the file at off (inside it): a slice of the map,
// or read into buf (grown as needed).
func (r *Reader) read(buf *[]byte, off, n int64) ([]byte, error) {
	if r.data != nil {
		return r.data[off : off+n : off+n], nil
	}
	if int64(cap(*buf)) < n {
		*buf = make([]byte, n)
	}
	b := (*buf)[:n]
	if _, err := r.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.path, err)
	}
	return b, nil
}

// Cursor iterates, in key order, the bucket whose root is page root (not
// an inline bucket: those live in their parent's page). It has bbolt's
// Cursor's First and Next; a key of a nested bucket comes with a nil value,
// as there. What First and Next return holds until the next call.
func (r *Reader) Cursor(root uint64) *Cursor { return &Cursor{r: r, root: root} }

// Cursor is a Reader's iteration over one bucket.
type Cursor struct {
	r     *Reader
	root  uint64
	stack []frame
	err   error
	reads int64 // the pages read since First or Last: a tree has no more than the file
}

// frame is a page on the way from the root to the current leaf.
type frame struct {
	buf   []byte // read into again for every page at this depth
	page  []byte
	count int
	i     int
	leaf  bool
}

// Err is what stopped the iteration early (First or Next returned nil
// before the bucket's end), nil if nothing did.
func (c *Cursor) Err() error { return c.err }

// First moves to the bucket's first key.
func (c *Cursor) First() (key, value []byte) {
	c.stack, c.reads = c.stack[:0], 0
	if c.err != nil || !c.descend(c.root) {
		return nil, nil
	}
	return c.settle()
}

// Last moves to the bucket's last key; Next after it ends the iteration.
func (c *Cursor) Last() (key, value []byte) {
	c.stack, c.reads = c.stack[:0], 0
	if c.err != nil || !c.descend(c.root) {
		return nil, nil
	}
	for {
		top := &c.stack[len(c.stack)-1]
		if top.count == 0 {
			return nil, nil
		}
		top.i = top.count - 1
		if top.leaf {
			return c.element(top)
		}
		if !c.descend(ne.Uint64(top.page[pageHeader+top.i*elementSize+8:])) {
			return nil, nil
		}
	}
}

// Next moves to the next key; nil at the end.
func (c *Cursor) Next() (key, value []byte) {
	if c.err != nil || len(c.stack) == 0 {
		return nil, nil
	}
	c.stack[len(c.stack)-1].i++
	return c.settle()
}

// settle moves from where the stack points to the first key at or after
// it: up past every page whose elements are done, down the next child.
func (c *Cursor) settle() ([]byte, []byte) {
	for {
		top := &c.stack[len(c.stack)-1]
		if top.i < top.count {
			if top.leaf {
				return c.element(top)
			}
			if !c.descend(ne.Uint64(top.page[pageHeader+top.i*elementSize+8:])) {
				return nil, nil
			}
			continue
		}
		c.stack = c.stack[:len(c.stack)-1]
		if len(c.stack) == 0 {
			return nil, nil
		}
		c.stack[len(c.stack)-1].i++
	}
}

// element is the key and value of the current element of a leaf.
func (c *Cursor) element(f *frame) ([]byte, []byte) {
	at := pageHeader + f.i*elementSize
	e := f.page[at:]
	flags, pos, ksize, vsize := ne.Uint32(e), int(ne.Uint32(e[4:])), int(ne.Uint32(e[8:])), int(ne.Uint32(e[12:]))
	if end := at + pos + ksize + vsize; end < at || end > len(f.page) {
		c.fail("element %d of a leaf page lies past the page's end", f.i)
		return nil, nil
	}
	k := f.page[at+pos : at+pos+ksize : at+pos+ksize]
	if flags&bucketLeaf != 0 {
		return k, nil
	}
	return k, f.page[at+pos+ksize : at+pos+ksize+vsize : at+pos+ksize+vsize]
}

// descend reads page id onto the stack.
func (c *Cursor) descend(id uint64) bool {
	d := len(c.stack)
	if d >= 64 {
		c.fail("the bucket's tree is deeper than 64 pages")
		return false
	}
	if c.reads++; c.reads > c.r.size/c.r.ps {
		c.fail("the bucket's pages are named more than once: its pages are not a tree")
		return false
	}
	if d < cap(c.stack) {
		c.stack = c.stack[:d+1]
	} else {
		c.stack = append(c.stack, frame{})
	}
	f := &c.stack[d]
	ps := c.r.ps
	off := int64(id) * ps
	if id < 2 || off/ps != int64(id) || off+ps > c.r.size {
		c.fail("page %d is outside the file", id)
		return false
	}
	b, err := c.r.read(&f.buf, off, ps)
	if err != nil {
		c.err = err
		return false
	}
	pid, flags, count, overflow := decodeHeader(b)
	if pid != id || flags != branchFlag && flags != leafFlag {
		c.fail("page %d is not the branch or leaf page it should be", id)
		return false
	}
	if overflow > 0 {
		span := int64(overflow+1) * ps
		if off+span > c.r.size {
			c.fail("page %d runs past the end of the file", id)
			return false
		}
		if b, err = c.r.read(&f.buf, off, span); err != nil {
			c.err = err
			return false
		}
	}
	if pageHeader+int(count)*elementSize > len(b) {
		c.fail("page %d: %d elements do not fit in the page", id, count)
		return false
	}
	f.page, f.count, f.i, f.leaf = b, int(count), 0, flags == leafFlag
	return true
}

func (c *Cursor) fail(format string, args ...any) {
	c.err = &Error{Path: c.r.path, Problem: fmt.Sprintf(format, args...)}
}
