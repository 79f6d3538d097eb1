package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// SharedDict maps byte strings to byte strings in shared memory, used in
// place by every process (mproc/shared_containers.h; Python's
// Manager().dict() without the manager process). Reads take no lock and
// make no system call; a process killed in the middle of an update leaves
// the dict whole. It grows up to the limit set at creation (Limit); an
// update beyond it fails with ErrFull and changes nothing.
type SharedDict struct {
	h    handle
	name string
}

// SharedList is a sequence of byte strings in shared memory
// (Manager().list()). Indexes are Python's: negative ones count from the
// end, resolved inside the call, so Pop(-1) takes the last element even
// while others append.
type SharedList struct {
	h    handle
	name string
}

type containerConfig struct {
	shared sharedConfig
	limit  int
}

// ContainerOption configures NewSharedDict and NewSharedList: Limit, or
// any Option (Name, Named).
type ContainerOption interface{ applyContainer(*containerConfig) }

type containerOption func(*containerConfig)

func (o containerOption) applyContainer(c *containerConfig) { o(c) }

func (o Option) applyContainer(c *containerConfig) { o(&c.shared) }

// Limit sets the bytes a container may grow to: its entries (each with a
// 40-byte header, rounded up to a size class) and its table or array.
// The default, 1 GiB, is address space, not memory.
func Limit(bytes int) ContainerOption {
	return containerOption(func(c *containerConfig) { c.limit = bytes })
}

// containerOpts builds the C options for opts and passes them to f.
func containerOpts(opts []ContainerOption, f func(o *C.mproc_container_opts_t) error) error {
	var c containerConfig
	for _, opt := range opts {
		opt.applyContainer(&c)
	}
	if c.limit < 0 {
		return bindingError(EINVAL, "Limit must not be negative")
	}
	var o *C.mproc_container_opts_t
	if err := call(func() C.int { return C.mproc_container_opts_new(&o) }); err != nil {
		return err
	}
	defer C.mproc_container_opts_free(o)
	if c.limit > 0 {
		if err := call(func() C.int { return C.mproc_container_opts_set_limit(o, C.size_t(c.limit)) }); err != nil {
			return err
		}
	}
	if c.shared.named {
		var err error
		if c.shared.name == "" {
			err = call(func() C.int { return C.mproc_container_opts_set_named(o, 1) })
		} else {
			cname := C.CString(c.shared.name)
			defer C.free(unsafe.Pointer(cname))
			err = call(func() C.int { return C.mproc_container_opts_set_name(o, cname) })
		}
		if err != nil {
			return err
		}
	}
	return f(o)
}

// readValue reads a value through get_into: a first guess, then the exact
// size (again if another process made it larger in between).
func readValue(get func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) error) ([]byte, error) {
	buf := make([]byte, 128)
	for {
		var n C.size_t
		// C writes into Go memory during the call only (cgo's rules).
		err := get(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &n)
		if hasCode(err, ETOOBIG) {
			buf = make([]byte, int(n)+1)
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:int(n)], nil
	}
}

// snapshot copies a C snapshot's keys and values (either may be skipped).
func snapshot(take func(out **C.mproc_items_t) error, keys, values bool) ([][2][]byte, error) {
	var items *C.mproc_items_t
	if err := take(&items); err != nil {
		return nil, err
	}
	defer C.mproc_items_free(items)
	var count C.size_t
	if err := call(func() C.int { return C.mproc_items_count(items, &count) }); err != nil {
		return nil, err
	}
	out := make([][2][]byte, int(count))
	for i := range out {
		var data unsafe.Pointer
		var size C.size_t
		if keys {
			if err := call(func() C.int { return C.mproc_items_key(items, C.size_t(i), &data, &size) }); err != nil {
				return nil, err
			}
			out[i][0] = goBytes(data, size)
		}
		if values {
			if err := call(func() C.int { return C.mproc_items_value(items, C.size_t(i), &data, &size) }); err != nil {
				return nil, err
			}
			out[i][1] = goBytes(data, size)
		}
	}
	return out, nil
}

// ---- SharedDict ---------------------------------------------------------

// NewSharedDict creates a dict.
func NewSharedDict(opts ...ContainerOption) (*SharedDict, error) {
	var d *C.mproc_dict_t
	err := containerOpts(opts, func(o *C.mproc_container_opts_t) error {
		return call(func() C.int { return C.mproc_dict_new(&d, o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapDict(d), nil
}

// OpenSharedDict opens a named dict, typically one another process made.
func OpenSharedDict(name string) (*SharedDict, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var d *C.mproc_dict_t
	if err := call(func() C.int { return C.mproc_dict_open(&d, cname) }); err != nil {
		return nil, err
	}
	return wrapDict(d), nil
}

func wrapDict(d *C.mproc_dict_t) *SharedDict {
	w := &SharedDict{name: cName(func(n **C.char) C.int { return C.mproc_dict_name(d, n) })}
	w.h.init("shared dict", unsafe.Pointer(d), func(p unsafe.Pointer) { C.mproc_dict_free((*C.mproc_dict_t)(p)) })
	runtime.SetFinalizer(w, func(w *SharedDict) { w.h.close() })
	return w
}

func sdp(p unsafe.Pointer) *C.mproc_dict_t { return (*C.mproc_dict_t)(p) }

// Name is the name of a named dict, "" for an anonymous one.
func (d *SharedDict) Name() string { return d.name }

// Set sets key to a copy of value. Errors: ErrFull, ErrTooBig.
func (d *SharedDict) Set(key, value []byte) error {
	return d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_set(sdp(p), bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)))
	})
}

// Add sets key only if it is absent: false (nothing changed) if present.
func (d *SharedDict) Add(key, value []byte) (bool, error) {
	err := d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_add(sdp(p), bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)))
	})
	if hasCode(err, EEXIST) {
		return false, nil
	}
	return err == nil, err
}

// Replace sets key to value only if its value is expected now (an atomic
// compare-and-set): false when it differs, ErrNotFound for a missing key.
func (d *SharedDict) Replace(key, expected, value []byte) (bool, error) {
	err := d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_replace(sdp(p), bytesPtr(key), C.size_t(len(key)),
			bytesPtr(expected), C.size_t(len(expected)), bytesPtr(value), C.size_t(len(value)))
	})
	if hasCode(err, ESTATE) {
		return false, nil
	}
	return err == nil, err
}

// Get returns key's value and whether it is present.
func (d *SharedDict) Get(key []byte) ([]byte, bool, error) {
	v, err := readValue(func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) error {
		return d.h.do(func(p unsafe.Pointer) C.int {
			return C.mproc_dict_get_into(sdp(p), bytesPtr(key), C.size_t(len(key)), buf, cap, n)
		})
	})
	if hasCode(err, ENOTFOUND) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// Contains reports whether key is present.
func (d *SharedDict) Contains(key []byte) (bool, error) {
	var found C.int
	err := d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_contains(sdp(p), bytesPtr(key), C.size_t(len(key)), &found)
	})
	return found != 0, err
}

// Pop deletes key and returns its value, in one step; present is false
// (and nothing changed) when it was absent.
func (d *SharedDict) Pop(key []byte) (value []byte, present bool, err error) {
	var m *C.mproc_msg_t
	err = d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_pop(sdp(p), bytesPtr(key), C.size_t(len(key)), &m)
	})
	if hasCode(err, ENOTFOUND) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return takeMsg(m), true, nil
}

// Delete deletes key: false if it was absent.
func (d *SharedDict) Delete(key []byte) (bool, error) {
	err := d.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_dict_delete(sdp(p), bytesPtr(key), C.size_t(len(key)))
	})
	if hasCode(err, ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}

// Len is the number of entries.
func (d *SharedDict) Len() (int, error) {
	var n C.size_t
	err := d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_len(sdp(p), &n) })
	return int(n), err
}

// Clear deletes every entry at once.
func (d *SharedDict) Clear() error {
	return d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_clear(sdp(p)) })
}

// Items copies every entry at one moment into a map.
func (d *SharedDict) Items() (map[string][]byte, error) {
	entries, err := snapshot(func(out **C.mproc_items_t) error {
		return d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_items(sdp(p), out) })
	}, true, true)
	if err != nil {
		return nil, err
	}
	m := make(map[string][]byte, len(entries))
	for _, e := range entries {
		m[string(e[0])] = e[1]
	}
	return m, nil
}

// Keys copies every key at one moment (in no particular order).
func (d *SharedDict) Keys() ([][]byte, error) {
	entries, err := snapshot(func(out **C.mproc_items_t) error {
		return d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_keys(sdp(p), out) })
	}, true, false)
	keys := make([][]byte, len(entries))
	for i, e := range entries {
		keys[i] = e[0]
	}
	return keys, err
}

// Usage returns the bytes in use and the limit.
func (d *SharedDict) Usage() (used, limit int, err error) {
	var u, l C.size_t
	err = d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_usage(sdp(p), &u, &l) })
	return int(u), int(l), err
}

// Check walks the whole structure: ErrCorrupt if it does not check out.
func (d *SharedDict) Check() error {
	return d.h.do(func(p unsafe.Pointer) C.int { return C.mproc_dict_check(sdp(p)) })
}

// Close releases this handle; the dict lives on in other processes.
func (d *SharedDict) Close() error {
	runtime.SetFinalizer(d, nil)
	d.h.close()
	return nil
}

// ---- SharedList ---------------------------------------------------------

// NewSharedList creates a list.
func NewSharedList(opts ...ContainerOption) (*SharedList, error) {
	var l *C.mproc_list_t
	err := containerOpts(opts, func(o *C.mproc_container_opts_t) error {
		return call(func() C.int { return C.mproc_list_new(&l, o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapList(l), nil
}

// OpenSharedList opens a named list.
func OpenSharedList(name string) (*SharedList, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var l *C.mproc_list_t
	if err := call(func() C.int { return C.mproc_list_open(&l, cname) }); err != nil {
		return nil, err
	}
	return wrapList(l), nil
}

func wrapList(l *C.mproc_list_t) *SharedList {
	w := &SharedList{name: cName(func(n **C.char) C.int { return C.mproc_list_name(l, n) })}
	w.h.init("shared list", unsafe.Pointer(l), func(p unsafe.Pointer) { C.mproc_list_free((*C.mproc_list_t)(p)) })
	runtime.SetFinalizer(w, func(w *SharedList) { w.h.close() })
	return w
}

func slp(p unsafe.Pointer) *C.mproc_list_t { return (*C.mproc_list_t)(p) }

// Name is the name of a named list, "" for an anonymous one.
func (l *SharedList) Name() string { return l.name }

// Append adds a copy of value at the end. Errors: ErrFull, ErrTooBig.
func (l *SharedList) Append(value []byte) error {
	return l.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_list_append(slp(p), bytesPtr(value), C.size_t(len(value)))
	})
}

// Insert inserts before index, clamped to the list as Python's insert.
func (l *SharedList) Insert(index int64, value []byte) error {
	return l.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_list_insert(slp(p), C.int64_t(index), bytesPtr(value), C.size_t(len(value)))
	})
}

// Set replaces element index; an error with code ERANGE outside the list.
func (l *SharedList) Set(index int64, value []byte) error {
	return l.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_list_set(slp(p), C.int64_t(index), bytesPtr(value), C.size_t(len(value)))
	})
}

// Get returns element index; ok is false outside the list.
func (l *SharedList) Get(index int64) (value []byte, ok bool, err error) {
	v, err := readValue(func(buf unsafe.Pointer, cap C.size_t, n *C.size_t) error {
		return l.h.do(func(p unsafe.Pointer) C.int {
			return C.mproc_list_get_into(slp(p), C.int64_t(index), buf, cap, n)
		})
	})
	if hasCode(err, ERANGE) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// Pop removes and returns element index (-1: the last); ok is false
// outside the list (an empty one too).
func (l *SharedList) Pop(index int64) (value []byte, ok bool, err error) {
	var m *C.mproc_msg_t
	err = l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_pop(slp(p), C.int64_t(index), &m) })
	if hasCode(err, ERANGE) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return takeMsg(m), true, nil
}

// Len is the number of elements.
func (l *SharedList) Len() (int, error) {
	var n C.size_t
	err := l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_len(slp(p), &n) })
	return int(n), err
}

// Clear removes every element at once.
func (l *SharedList) Clear() error {
	return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_clear(slp(p)) })
}

// Values copies every element at one moment, in order.
func (l *SharedList) Values() ([][]byte, error) {
	entries, err := snapshot(func(out **C.mproc_items_t) error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_items(slp(p), out) })
	}, false, true)
	values := make([][]byte, len(entries))
	for i, e := range entries {
		values[i] = e[1]
	}
	return values, err
}

// Usage returns the bytes in use and the limit.
func (l *SharedList) Usage() (used, limit int, err error) {
	var u, lim C.size_t
	err = l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_usage(slp(p), &u, &lim) })
	return int(u), int(lim), err
}

// Check walks the whole structure: ErrCorrupt if it does not check out.
func (l *SharedList) Check() error {
	return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_list_check(slp(p)) })
}

// Close releases this handle; the list lives on in other processes.
func (l *SharedList) Close() error {
	runtime.SetFinalizer(l, nil)
	l.h.close()
	return nil
}
