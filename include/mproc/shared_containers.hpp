// mproc/shared_containers.hpp: the C++ face of mproc/shared_containers.h,
// included by mproc.hpp. A map-like SharedDict and a vector-like
// SharedList of byte strings in shared memory, every process using them
// in place:
//
//   mproc::SharedDict d;                  // anonymous; or ContainerOptions
//   d["tickets"] = "3";                   // set
//   std::string left = d["tickets"];      // get (Error ENOTFOUND if absent)
//   if (auto v = d.get("tickets")) ...    // std::optional
//   for (auto [k, v] : d.items()) ...     // a snapshot taken at one moment
//   mproc::Process p("task", mproc::Args() << d);   // a child uses it too
//
// Keys and values are bytes: std::string_view in, std::string out.
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

// How a new SharedDict or SharedList is made.
struct ContainerOptions {
  size_t limit = MPROC_CONTAINER_DEFAULT_LIMIT;  // bytes it may grow to
  Shared shared;                                 // anonymous or named
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

// A snapshot of a container's entries: iterate it (pairs of
// std::string_view, valid while it lives) or index it.
class Items {
 public:
  explicit Items(mproc_items_t* adopted) : h_(adopted) {}
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_items_count(h_.get(), &n));
    return n;
  }
  std::string_view key(size_t i) const { return part(mproc_items_key, i); }
  std::string_view value(size_t i) const { return part(mproc_items_value, i); }

  class iterator {
   public:
    using value_type = std::pair<std::string_view, std::string_view>;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    using pointer = void;
    using reference = value_type;
    iterator(const Items* items, size_t i) : items_(items), i_(i) {}
    value_type operator*() const { return {items_->key(i_), items_->value(i_)}; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const Items* items_;
    size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
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

// Byte strings to byte strings in shared memory (Manager().dict()).
// Reads take no lock; see mproc/shared_containers.h for the guarantees.
class SharedDict {
 public:
  explicit SharedDict(const ContainerOptions& o = {}) {
    mproc_dict_t* raw = nullptr;
    detail::check(mproc_dict_new(&raw, detail::container_opts(o).get()));
    h_.reset(raw);
  }
  static SharedDict open(const std::string& name) {
    mproc_dict_t* raw = nullptr;
    detail::check(mproc_dict_open(&raw, name.c_str()));
    return SharedDict(raw);
  }
  explicit SharedDict(mproc_dict_t* adopted) : h_(adopted) {}

  void set(std::string_view key, std::string_view value) {
    detail::check(mproc_dict_set(h_.get(), key.data(), key.size(), value.data(), value.size()));
  }
  // Sets only a new key: false (nothing changed) if it is present.
  bool insert(std::string_view key, std::string_view value) {
    return detail::check_or(
        mproc_dict_add(h_.get(), key.data(), key.size(), value.data(), value.size()),
        MPROC_EEXIST);
  }
  // Compare-and-set: false (nothing changed) unless the value is
  // `expected` now; Error(MPROC_ENOTFOUND) for a missing key.
  bool replace(std::string_view key, std::string_view expected, std::string_view value) {
    return detail::check_or(mproc_dict_replace(h_.get(), key.data(), key.size(), expected.data(),
                                               expected.size(), value.data(), value.size()),
                            MPROC_ESTATE);
  }
  std::optional<std::string> get(std::string_view key) const {
    std::string out;
    int rc = try_read(key, &out);
    if (rc == MPROC_ENOTFOUND) return std::nullopt;
    detail::check(rc);
    return out;
  }
  // The value; Error(MPROC_ENOTFOUND) if absent (std::map::at's role).
  std::string at(std::string_view key) const {
    std::string out;
    detail::check(try_read(key, &out));
    return out;
  }
  bool contains(std::string_view key) const {
    int found = 0;
    detail::check(mproc_dict_contains(h_.get(), key.data(), key.size(), &found));
    return found != 0;
  }
  size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }
  // Deletes the key: how many were deleted (0 or 1), as std::map::erase.
  size_t erase(std::string_view key) {
    return detail::check_or(mproc_dict_delete(h_.get(), key.data(), key.size()), MPROC_ENOTFOUND)
               ? 1
               : 0;
  }
  // Deletes the key and hands its value over.
  std::optional<std::string> pop(std::string_view key) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_dict_pop(h_.get(), key.data(), key.size(), &m), MPROC_ENOTFOUND))
      return std::nullopt;
    return Message(m).str();
  }
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_dict_len(h_.get(), &n));
    return n;
  }
  bool empty() const { return size() == 0; }
  void clear() { detail::check(mproc_dict_clear(h_.get())); }
  Items items() const { return snapshot(mproc_dict_items); }
  std::vector<std::string> keys() const {
    Items s = snapshot(mproc_dict_keys);
    std::vector<std::string> out;
    for (auto [k, v] : s) out.emplace_back(k);
    return out;
  }

  // d[key] = value; std::string v = d[key] (Error ENOTFOUND if absent).
  class Entry {
   public:
    Entry(SharedDict& d, std::string_view key) : d_(d), key_(key) {}
    Entry& operator=(std::string_view value) {
      d_.set(key_, value);
      return *this;
    }
    operator std::string() const { return d_.at(key_); }

   private:
    SharedDict& d_;
    std::string key_;
  };
  Entry operator[](std::string_view key) { return Entry(*this, key); }

  size_t used() const { return usage().first; }
  size_t limit() const { return usage().second; }
  // Throws Error(MPROC_ECORRUPT) when the structure does not check out.
  void check() const { detail::check(mproc_dict_check(h_.get())); }
  std::string name() const {
    const char* n = nullptr;
    detail::check(mproc_dict_name(h_.get(), &n));
    return n;
  }
  mproc_dict_t* get() const noexcept { return h_.get(); }
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
  mproc_dict_t* native() const noexcept { return h_.get(); }
  // For Args and ArgsView.
  int add_to(mproc_args_t* a) { return mproc_args_add_dict(a, h_.get()); }
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

// A sequence of byte strings in shared memory (Manager().list()). Indexes
// are Python's: negative ones count from the end.
class SharedList {
 public:
  explicit SharedList(const ContainerOptions& o = {}) {
    mproc_list_t* raw = nullptr;
    detail::check(mproc_list_new(&raw, detail::container_opts(o).get()));
    h_.reset(raw);
  }
  static SharedList open(const std::string& name) {
    mproc_list_t* raw = nullptr;
    detail::check(mproc_list_open(&raw, name.c_str()));
    return SharedList(raw);
  }
  explicit SharedList(mproc_list_t* adopted) : h_(adopted) {}

  void push_back(std::string_view v) {
    detail::check(mproc_list_append(h_.get(), v.data(), v.size()));
  }
  // Inserts before `index`, clamped as Python's insert.
  void insert(int64_t index, std::string_view v) {
    detail::check(mproc_list_insert(h_.get(), index, v.data(), v.size()));
  }
  void set(int64_t index, std::string_view v) {
    detail::check(mproc_list_set(h_.get(), index, v.data(), v.size()));
  }
  // Error(MPROC_ERANGE) outside the list.
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
  std::string front() const { return at(0); }
  std::string back() const { return at(-1); }
  // Removes and returns element `index` (the last by default); nothing
  // when there is no such element (an empty list).
  std::optional<std::string> pop(int64_t index = -1) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_list_pop(h_.get(), index, &m), MPROC_ERANGE))
      return std::nullopt;
    return Message(m).str();
  }
  void erase(int64_t index) { detail::check(mproc_list_pop(h_.get(), index, nullptr)); }
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_list_len(h_.get(), &n));
    return n;
  }
  bool empty() const { return size() == 0; }
  void clear() { detail::check(mproc_list_clear(h_.get())); }
  // A snapshot: iterate its values (keys are empty).
  Items items() const {
    mproc_items_t* raw = nullptr;
    detail::check(mproc_list_items(h_.get(), &raw));
    return Items(raw);
  }
  std::vector<std::string> to_vector() const {
    Items s = items();
    std::vector<std::string> out;
    out.reserve(s.size());
    for (auto [k, v] : s) out.emplace_back(v);
    return out;
  }

  // l[i] = value; std::string v = l[i] (Error ERANGE outside the list).
  class Element {
   public:
    Element(SharedList& l, int64_t i) : l_(l), i_(i) {}
    Element& operator=(std::string_view value) {
      l_.set(i_, value);
      return *this;
    }
    operator std::string() const { return l_.at(i_); }

   private:
    SharedList& l_;
    int64_t i_;
  };
  Element operator[](int64_t i) { return Element(*this, i); }

  size_t used() const { return usage().first; }
  size_t limit() const { return usage().second; }
  void check() const { detail::check(mproc_list_check(h_.get())); }
  std::string name() const {
    const char* n = nullptr;
    detail::check(mproc_list_name(h_.get(), &n));
    return n;
  }
  mproc_list_t* get() const noexcept { return h_.get(); }
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
  mproc_list_t* native() const noexcept { return h_.get(); }
  int add_to(mproc_args_t* a) { return mproc_args_add_list(a, h_.get()); }
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
