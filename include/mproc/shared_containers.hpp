/// @file mproc/shared_containers.hpp
/// @brief The C++ face of mproc/shared_containers.h (included by
/// mproc.hpp): a map-like SharedDict and a vector-like SharedList of byte
/// strings in shared memory, every process using them in place.
///
/// @code
/// mproc::SharedDict d;                  // anonymous; or ContainerOptions
/// d["tickets"] = "3";                   // set
/// std::string left = d["tickets"];      // get (Error ENOTFOUND if absent)
/// if (auto v = d.get("tickets")) ...    // std::optional
/// for (auto [k, v] : d.items()) ...     // a snapshot taken at one moment
/// mproc::Process p("task", mproc::Args() << d);   // a child uses it too
/// @endcode
///
/// Keys and values are bytes: std::string_view in (copied), std::string
/// out (a copy). Errors throw mproc::Error with the C call's code and
/// message; the codes each call can give are listed at the C function it
/// names (mproc/shared_containers.h): every update may throw MPROC_EFULL
/// (over the limit, nothing changed), and any call MPROC_ECORRUPT (shared
/// state a peer damaged). No call starts a thread, touches a signal or
/// takes a timeout: updates wait only for another process's update in
/// progress (microseconds), reads never wait. Objects are movable, not
/// copyable, and thread-safe as their C handles are.
#ifndef MPROC_SHARED_CONTAINERS_HPP
#define MPROC_SHARED_CONTAINERS_HPP

#include <mproc/mproc.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mproc {

/// How a new SharedDict or SharedList is made.
struct ContainerOptions {
  size_t limit = MPROC_CONTAINER_DEFAULT_LIMIT;  ///< bytes it may grow to (address space, not memory)
  Shared shared;                                 ///< anonymous (default) or named
};

namespace detail {

inline Handle<mproc_container_opts_t, mproc_container_opts_free> container_opts(
    const ContainerOptions& o) {
  mproc_container_opts_t* raw = nullptr;
  check(mproc_container_opts_new(&raw));
  Handle<mproc_container_opts_t, mproc_container_opts_free> owned(raw);
  check(mproc_container_opts_set_limit(raw, o.limit));
  if (o.shared.is_named()) {
    if (o.shared.name().empty())
      check(mproc_container_opts_set_named(raw, 1));
    else
      check(mproc_container_opts_set_name(raw, o.shared.name().c_str()));
  }
  return owned;
}
}  // namespace detail

/// A snapshot of a container's entries, taken at one moment
/// (mproc_items_t): iterate it (pairs of std::string_view, valid while it
/// lives) or index it. Reading it never touches the container again.
class Items {
 public:
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Items(mproc_items_t* adopted) : h_(adopted) {}
  /// The number of entries.
  /// @return the count.
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_items_count(h_.get(), &n));
    return n;
  }
  /// Entry i's key (empty for a list's snapshot); throws
  /// Error(MPROC_ERANGE) for i >= size().
  /// @param i the entry's index.
  /// @return a view into the snapshot, valid while it lives.
  std::string_view key(size_t i) const { return part(mproc_items_key, i); }
  /// Entry i's value; throws Error(MPROC_ERANGE) for i >= size().
  /// @param i the entry's index.
  /// @return a view into the snapshot, valid while it lives.
  std::string_view value(size_t i) const { return part(mproc_items_value, i); }

  /// A forward iterator over the (key, value) pairs.
  class iterator {
   public:
    using value_type = std::pair<std::string_view, std::string_view>;  ///< (key, value)
    using difference_type = std::ptrdiff_t;                           ///< as for any iterator
    using iterator_category = std::forward_iterator_tag;              ///< a forward iterator
    using pointer = void;                                             ///< none: pairs are made on the fly
    using reference = value_type;                                     ///< a pair by value
    /// An iterator at entry i.
    /// @param items the snapshot.
    /// @param i the entry's index.
    iterator(const Items* items, size_t i) : items_(items), i_(i) {}
    /// The entry.
    /// @return its key and value.
    value_type operator*() const { return {items_->key(i_), items_->value(i_)}; }
    /// Moves to the next entry.
    /// @return this iterator.
    iterator& operator++() {
      ++i_;
      return *this;
    }
    /// Whether both are at the same entry.
    /// @param o the other iterator.
    /// @return true if equal.
    bool operator==(const iterator& o) const { return i_ == o.i_; }
    /// Whether they are at different entries.
    /// @param o the other iterator.
    /// @return true if different.
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const Items* items_;
    size_t i_;
  };
  /// The first entry.
  /// @return an iterator at it.
  iterator begin() const { return {this, 0}; }
  /// Past the last entry.
  /// @return an iterator there.
  iterator end() const { return {this, size()}; }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_items_t* native() const noexcept { return h_.get(); }

 private:
  std::string_view part(int (*fn)(const mproc_items_t*, size_t, const void**, size_t*),
                        size_t i) const {
    const void* d = nullptr;
    size_t n = 0;
    detail::check(fn(h_.get(), i, &d, &n));
    return {static_cast<const char*>(d), n};
  }
  detail::Handle<mproc_items_t, mproc_items_free> h_;
};

/// Byte strings to byte strings in shared memory (Manager().dict();
/// mproc_dict_t). Reads take no lock; see mproc/shared_containers.h for
/// the guarantees. Freeing it releases this process's reference.
class SharedDict {
 public:
  /// Makes a new dict (mproc_dict_new); throws Error(MPROC_EEXIST) for a
  /// name taken.
  /// @param o its limit and name.
  explicit SharedDict(const ContainerOptions& o = {}) {
    mproc_dict_t* raw = nullptr;
    detail::check(mproc_dict_new(&raw, detail::container_opts(o).get()));
    h_.reset(raw);
  }
  /// Opens a named dict (mproc_dict_open); throws Error(MPROC_ENOENT) for
  /// no such name, Error(MPROC_ETYPE) for another kind of object.
  /// @param name its name.
  /// @return the dict.
  static SharedDict open(const std::string& name) {
    mproc_dict_t* raw = nullptr;
    detail::check(mproc_dict_open(&raw, name.c_str()));
    return SharedDict(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit SharedDict(mproc_dict_t* adopted) : h_(adopted) {}

  /// Sets `key` to `value` (mproc_dict_set).
  /// @param key the key.
  /// @param value the value.
  void set(std::string_view key, std::string_view value) {
    detail::check(mproc_dict_set(h_.get(), key.data(), key.size(), value.data(), value.size()));
  }
  /// Sets only a new key (mproc_dict_add).
  /// @param key the key.
  /// @param value the value.
  /// @return true if set; false (nothing changed) if the key is present.
  bool insert(std::string_view key, std::string_view value) {
    return detail::check_or(
        mproc_dict_add(h_.get(), key.data(), key.size(), value.data(), value.size()),
        MPROC_EEXIST);
  }
  /// Compare-and-set (mproc_dict_replace); throws Error(MPROC_ENOTFOUND)
  /// for a missing key.
  /// @param key the key.
  /// @param expected the value it must have now.
  /// @param value the new value.
  /// @return true if replaced; false (nothing changed) if the value was
  ///         not `expected`.
  bool replace(std::string_view key, std::string_view expected, std::string_view value) {
    return detail::check_or(mproc_dict_replace(h_.get(), key.data(), key.size(), expected.data(),
                                               expected.size(), value.data(), value.size()),
                            MPROC_ESTATE);
  }
  /// The value of `key` (mproc_dict_get_into).
  /// @param key the key.
  /// @return a copy of the value, or nothing if absent.
  std::optional<std::string> get(std::string_view key) const {
    std::string out;
    int rc = try_read(key, &out);
    if (rc == MPROC_ENOTFOUND) return std::nullopt;
    detail::check(rc);
    return out;
  }
  /// The value of `key`; throws Error(MPROC_ENOTFOUND) if absent
  /// (std::map::at's role).
  /// @param key the key.
  /// @return a copy of the value.
  std::string at(std::string_view key) const {
    std::string out;
    detail::check(try_read(key, &out));
    return out;
  }
  /// Whether `key` is present (mproc_dict_contains).
  /// @param key the key.
  /// @return true if present.
  bool contains(std::string_view key) const {
    int found = 0;
    detail::check(mproc_dict_contains(h_.get(), key.data(), key.size(), &found));
    return found != 0;
  }
  /// As std::map::count.
  /// @param key the key.
  /// @return 1 if present, else 0.
  size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }
  /// Deletes `key` (mproc_dict_delete), as std::map::erase.
  /// @param key the key.
  /// @return how many were deleted: 0 or 1.
  size_t erase(std::string_view key) {
    return detail::check_or(mproc_dict_delete(h_.get(), key.data(), key.size()), MPROC_ENOTFOUND)
               ? 1
               : 0;
  }
  /// Deletes `key` and hands its value over (mproc_dict_pop).
  /// @param key the key.
  /// @return its value, or nothing if absent.
  std::optional<std::string> pop(std::string_view key) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_dict_pop(h_.get(), key.data(), key.size(), &m), MPROC_ENOTFOUND))
      return std::nullopt;
    return Message(m).str();
  }
  /// The number of keys (mproc_dict_len).
  /// @return the count.
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_dict_len(h_.get(), &n));
    return n;
  }
  /// Whether it has no key.
  /// @return true if empty.
  bool empty() const { return size() == 0; }
  /// Deletes every key (mproc_dict_clear).
  void clear() { detail::check(mproc_dict_clear(h_.get())); }
  /// A snapshot of every (key, value) (mproc_dict_items).
  /// @return the snapshot.
  Items items() const { return snapshot(mproc_dict_items); }
  /// A snapshot of the keys (mproc_dict_keys).
  /// @return copies of the keys.
  std::vector<std::string> keys() const {
    Items s = snapshot(mproc_dict_keys);
    std::vector<std::string> out;
    for (auto [k, v] : s) out.emplace_back(k);
    return out;
  }

  /// What d[key] gives: `d[key] = value` sets, `std::string v = d[key]`
  /// reads (Error(MPROC_ENOTFOUND) if absent).
  class Entry {
   public:
    /// The entry of `key` in `d`.
    /// @param d the dict.
    /// @param key the key, copied.
    Entry(SharedDict& d, std::string_view key) : d_(d), key_(key) {}
    /// Sets the value.
    /// @param value the value.
    /// @return this entry.
    Entry& operator=(std::string_view value) {
      d_.set(key_, value);
      return *this;
    }
    /// Reads the value (as at()).
    /// @return a copy of the value.
    operator std::string() const { return d_.at(key_); }

   private:
    SharedDict& d_;
    std::string key_;
  };
  /// The entry of `key`, to set or read.
  /// @param key the key.
  /// @return the entry.
  Entry operator[](std::string_view key) { return Entry(*this, key); }

  /// The bytes of its limit in use (mproc_dict_usage).
  /// @return the bytes used.
  size_t used() const { return usage().first; }
  /// Its limit in bytes (mproc_dict_usage).
  /// @return the limit.
  size_t limit() const { return usage().second; }
  /// Walks the whole structure (mproc_dict_check; blocks updates while it
  /// runs); throws Error(MPROC_ECORRUPT) when it does not check out.
  void check() const { detail::check(mproc_dict_check(h_.get())); }
  /// Its name (mproc_dict_name).
  /// @return the name, "" for an anonymous dict.
  std::string name() const {
    const char* n = nullptr;
    detail::check(mproc_dict_name(h_.get(), &n));
    return n;
  }
  /// The C handle (as native()).
  /// @return the handle, owned by this object.
  mproc_dict_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_dict_t* native() const noexcept { return h_.get(); }
  /// Appends this dict to an argument list (what `Args() << d` calls).
  /// @param a the list.
  /// @return as mproc_args_add_dict.
  int add_to(mproc_args_t* a) { return mproc_args_add_dict(a, h_.get()); }
  /// The dict argument i of a task's list (what ArgsView::object calls).
  /// @param a the list.
  /// @param i the index.
  /// @return the dict, a handle of its own.
  static SharedDict from_args(const mproc_args_t* a, size_t i) {
    mproc_dict_t* raw = nullptr;
    detail::check(mproc_args_get_dict(a, i, &raw));
    return SharedDict(raw);
  }

 private:
  int try_read(std::string_view key, std::string* out) const {
    out->assign(64, '\0');
    size_t len = 0;
    int rc = mproc_dict_get_into(h_.get(), key.data(), key.size(), out->data(), out->size(), &len);
    if (rc == MPROC_ETOOBIG) {
      out->resize(len);
      rc = mproc_dict_get_into(h_.get(), key.data(), key.size(), out->data(), out->size(), &len);
      // Replaced by a larger value in between: read it whole.
      if (rc == MPROC_ETOOBIG) return try_read(key, out);
    }
    if (rc == 0) out->resize(len);
    return rc;
  }
  Items snapshot(int (*fn)(const mproc_dict_t*, mproc_items_t**)) const {
    mproc_items_t* raw = nullptr;
    detail::check(fn(h_.get(), &raw));
    return Items(raw);
  }
  std::pair<size_t, size_t> usage() const {
    size_t used = 0, limit = 0;
    detail::check(mproc_dict_usage(h_.get(), &used, &limit));
    return {used, limit};
  }
  detail::Handle<mproc_dict_t, mproc_dict_free> h_;
};

/// A sequence of byte strings in shared memory (Manager().list();
/// mproc_list_t). Indexes are Python's: negative ones count from the end.
/// Freeing it releases this process's reference.
class SharedList {
 public:
  /// Makes a new list (mproc_list_new); throws Error(MPROC_EEXIST) for a
  /// name taken.
  /// @param o its limit and name.
  explicit SharedList(const ContainerOptions& o = {}) {
    mproc_list_t* raw = nullptr;
    detail::check(mproc_list_new(&raw, detail::container_opts(o).get()));
    h_.reset(raw);
  }
  /// Opens a named list (mproc_list_open); throws Error(MPROC_ENOENT) for
  /// no such name, Error(MPROC_ETYPE) for another kind of object.
  /// @param name its name.
  /// @return the list.
  static SharedList open(const std::string& name) {
    mproc_list_t* raw = nullptr;
    detail::check(mproc_list_open(&raw, name.c_str()));
    return SharedList(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit SharedList(mproc_list_t* adopted) : h_(adopted) {}

  /// Appends a value (mproc_list_append).
  /// @param v the value.
  void push_back(std::string_view v) {
    detail::check(mproc_list_append(h_.get(), v.data(), v.size()));
  }
  /// Inserts before `index`, clamped as Python's insert (mproc_list_insert).
  /// @param index where; beyond either end: at that end.
  /// @param v the value.
  void insert(int64_t index, std::string_view v) {
    detail::check(mproc_list_insert(h_.get(), index, v.data(), v.size()));
  }
  /// Replaces element `index` (mproc_list_set); throws
  /// Error(MPROC_ERANGE) outside the list.
  /// @param index the element.
  /// @param v the value.
  void set(int64_t index, std::string_view v) {
    detail::check(mproc_list_set(h_.get(), index, v.data(), v.size()));
  }
  /// Element `index` (mproc_list_get_into); throws Error(MPROC_ERANGE)
  /// outside the list.
  /// @param index the element.
  /// @return a copy of its value.
  std::string at(int64_t index) const {
    std::string out(64, '\0');
    size_t len = 0;
    for (;;) {
      int rc = mproc_list_get_into(h_.get(), index, out.data(), out.size(), &len);
      if (rc != MPROC_ETOOBIG) {
        detail::check(rc);
        break;
      }
      out.resize(len);
    }
    out.resize(len);
    return out;
  }
  /// The first element; Error(MPROC_ERANGE) when empty.
  /// @return a copy of its value.
  std::string front() const { return at(0); }
  /// The last element; Error(MPROC_ERANGE) when empty.
  /// @return a copy of its value.
  std::string back() const { return at(-1); }
  /// Removes and returns element `index` (mproc_list_pop).
  /// @param index the element; the last by default.
  /// @return its value, or nothing when there is no such element (an
  ///         empty list).
  std::optional<std::string> pop(int64_t index = -1) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_list_pop(h_.get(), index, &m), MPROC_ERANGE))
      return std::nullopt;
    return Message(m).str();
  }
  /// Removes element `index`; throws Error(MPROC_ERANGE) outside the list.
  /// @param index the element.
  void erase(int64_t index) { detail::check(mproc_list_pop(h_.get(), index, nullptr)); }
  /// The number of elements (mproc_list_len).
  /// @return the count.
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_list_len(h_.get(), &n));
    return n;
  }
  /// Whether it has no element.
  /// @return true if empty.
  bool empty() const { return size() == 0; }
  /// Removes every element (mproc_list_clear).
  void clear() { detail::check(mproc_list_clear(h_.get())); }
  /// A snapshot (mproc_list_items): iterate its values (keys are empty).
  /// @return the snapshot.
  Items items() const {
    mproc_items_t* raw = nullptr;
    detail::check(mproc_list_items(h_.get(), &raw));
    return Items(raw);
  }
  /// A snapshot's values.
  /// @return copies of the values, in order.
  std::vector<std::string> to_vector() const {
    Items s = items();
    std::vector<std::string> out;
    out.reserve(s.size());
    for (auto [k, v] : s) out.emplace_back(v);
    return out;
  }

  /// What l[i] gives: `l[i] = value` sets, `std::string v = l[i]` reads
  /// (Error(MPROC_ERANGE) outside the list).
  class Element {
   public:
    /// Element i of `l`.
    /// @param l the list.
    /// @param i the index.
    Element(SharedList& l, int64_t i) : l_(l), i_(i) {}
    /// Sets the value.
    /// @param value the value.
    /// @return this element.
    Element& operator=(std::string_view value) {
      l_.set(i_, value);
      return *this;
    }
    /// Reads the value (as at()).
    /// @return a copy of the value.
    operator std::string() const { return l_.at(i_); }

   private:
    SharedList& l_;
    int64_t i_;
  };
  /// Element i, to set or read.
  /// @param i the index.
  /// @return the element.
  Element operator[](int64_t i) { return Element(*this, i); }

  /// The bytes of its limit in use (mproc_list_usage).
  /// @return the bytes used.
  size_t used() const { return usage().first; }
  /// Its limit in bytes (mproc_list_usage).
  /// @return the limit.
  size_t limit() const { return usage().second; }
  /// Walks the whole structure (mproc_list_check; blocks updates while it
  /// runs); throws Error(MPROC_ECORRUPT) when it does not check out.
  void check() const { detail::check(mproc_list_check(h_.get())); }
  /// Its name (mproc_list_name).
  /// @return the name, "" for an anonymous list.
  std::string name() const {
    const char* n = nullptr;
    detail::check(mproc_list_name(h_.get(), &n));
    return n;
  }
  /// The C handle (as native()).
  /// @return the handle, owned by this object.
  mproc_list_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_list_t* native() const noexcept { return h_.get(); }
  /// Appends this list to an argument list (what `Args() << l` calls).
  /// @param a the argument list.
  /// @return as mproc_args_add_list.
  int add_to(mproc_args_t* a) { return mproc_args_add_list(a, h_.get()); }
  /// The list argument i of a task's list (what ArgsView::object calls).
  /// @param a the argument list.
  /// @param i the index.
  /// @return the list, a handle of its own.
  static SharedList from_args(const mproc_args_t* a, size_t i) {
    mproc_list_t* raw = nullptr;
    detail::check(mproc_args_get_list(a, i, &raw));
    return SharedList(raw);
  }

 private:
  std::pair<size_t, size_t> usage() const {
    size_t used = 0, limit = 0;
    detail::check(mproc_list_usage(h_.get(), &used, &limit));
    return {used, limit};
  }
  detail::Handle<mproc_list_t, mproc_list_free> h_;
};

}  // namespace mproc

#endif  // MPROC_SHARED_CONTAINERS_HPP
