#include "platform/shm.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include "platform/error.hpp"
#include "platform/robust.hpp"

namespace mproc::platform {
namespace {

std::string shm_path(const std::string& name) { return "/" + name; }

size_t size_of(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) fail_errno("fstat of shared memory");
  return static_cast<size_t>(st.st_size);
}

// Where named objects live; what its free space is matters to the message
// of a failed reservation.
constexpr const char* kShmDir = "/dev/shm";

std::string shm_room() {
  struct statvfs st;
  if (statvfs(kShmDir, &st) != 0) return "";
  unsigned long long avail = static_cast<unsigned long long>(st.f_bavail) * st.f_frsize;
  return std::string(" (") + kShmDir + " has " + std::to_string(avail) + " bytes free)";
}

}  // namespace

SharedMapping::SharedMapping(UniqueFd fd, size_t size) : fd_(std::move(fd)), size_(size) {
  if (size_ == 0) fail(MPROC_EINVAL, "shared memory of size 0");
  void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (p == MAP_FAILED) fail_errno("mmap of shared memory");
  data_ = p;
}

SharedMapping::SharedMapping(SharedMapping&& other) noexcept
    : fd_(std::move(other.fd_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      name_(std::move(other.name_)),
      name_entry_(std::move(other.name_entry_)),
      lock_words_(std::move(other.lock_words_)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, size_);
    fd_ = std::move(other.fd_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    name_ = std::move(other.name_);
    name_entry_ = std::move(other.name_entry_);
    lock_words_ = std::move(other.lock_words_);
  }
  return *this;
}

SharedMapping::~SharedMapping() {
  if (data_ == nullptr) return;
  // Freed while one of our threads holds a lock in it: unmapping would
  // leave that thread's robust list pointing at nothing. The memory stays
  // (a leak the caller's own mistake made) and the lock stays held until
  // its thread releases it through another handle or ends.
  for (const auto* word : lock_words_)
    if (robust_held_in_process(word->load(std::memory_order_relaxed))) return;
  munmap(data_, size_);
}

void SharedMapping::keep_while_held(const std::atomic<uint32_t>* word) {
  std::lock_guard<std::mutex> guard(words_mutex_);
  lock_words_.push_back(word);
}

SharedMapping SharedMapping::create(size_t size, size_t reserved) {
  UniqueFd fd(memfd_create("mproc", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) fail_errno("memfd_create");
  // The file is sparse: pages cost memory only once touched.
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
    fail_errno("ftruncate of shared memory to " + std::to_string(size) + " bytes");
  // Sealed before anyone else can hold it: from now on its size is fixed,
  // for us and for every process it is handed to.
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    fail_errno("sealing shared memory");
  SharedMapping mapping(std::move(fd), size);
  mapping.reserve_or_fail(reserved, "shared memory");
  return mapping;
}

SharedMapping SharedMapping::create_named(const std::string& name, size_t size,
                                          size_t reserved) {
  check_name(name);
  UniqueFd fd(shm_open(shm_path(name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) fail_errno("cannot create shared object '" + name + "'");
  // tmpfs files made by shm_open can not be sealed; /dev/shm's owner-only
  // mode is what keeps strangers from truncating them.
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    int err = errno;
    shm_unlink(shm_path(name).c_str());
    fail_errno("ftruncate of shared object '" + name + "'", err);
  }
  try {
    SharedMapping mapping(std::move(fd), size);
    mapping.name_ = name;
    mapping.reserve_or_fail(reserved, "shared object '" + name + "'");
    return mapping;
  } catch (...) {
    shm_unlink(shm_path(name).c_str());  // the name must not outlive the failure
    throw;
  }
}

int SharedMapping::reserve(size_t offset, size_t len, std::string* message) const {
  if (len == 0) return 0;
  if (offset > size_ || len > size_ - offset) {
    *message = "reservation outside the mapping";
    return MPROC_EINVAL;
  }
  int err;
  do {
    err = posix_fallocate(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(len));
  } while (err == EINTR);
  if (err == 0) return 0;
  std::string what = name_.empty() ? "shared memory" : "shared object '" + name_ + "'";
  if (err == ENOSPC) {
    *message = "no space left for " + std::to_string(len) + " more bytes of " + what +
               (name_.empty() ? "" : shm_room());
    return MPROC_ENOSPC;
  }
  if (err == ENOMEM) {
    *message = "not enough memory for " + std::to_string(len) + " more bytes of " + what;
    return MPROC_ENOMEM;
  }
  // A file system without fallocate (EOPNOTSUPP) can not promise
  // anything; writes then take their chances as they did before.
  if (err == EOPNOTSUPP || err == ENOSYS) return 0;
  *message = "cannot reserve " + std::to_string(len) + " bytes of " + what + ": " +
             strerror(err);
  return MPROC_EIO;
}

void SharedMapping::reserve_or_fail(size_t len, const std::string& what) const {
  std::string message;
  int rc = reserve(0, len < size_ ? len : size_, &message);
  if (rc != 0) fail(rc, "cannot create " + what + ": " + message);
}

SharedMapping SharedMapping::open_named(const std::string& name, const Deadline& grace) {
  check_name(name);
  UniqueFd fd(shm_open(shm_path(name).c_str(), O_RDWR | O_CLOEXEC, 0));
  if (!fd) fail_errno("cannot open shared object '" + name + "'");
  // Between its creator's shm_open and ftruncate an object has no size.
  size_t size = size_of(fd.get());
  while (size == 0 && !grace.expired()) {
    std::this_thread::yield();
    size = size_of(fd.get());
  }
  if (size == 0) fail(MPROC_ECORRUPT, "shared object '" + name + "' is empty");
  return SharedMapping(std::move(fd), size);
}

SharedMapping SharedMapping::from_fd(UniqueFd fd) {
  size_t size = size_of(fd.get());
  if (size == 0) fail(MPROC_ECORRUPT, "received shared memory is empty");
  return SharedMapping(std::move(fd), size);
}

void SharedMapping::unlink_named(const std::string& name) {
  check_name(name);
  if (shm_unlink(shm_path(name).c_str()) != 0)
    fail_errno("cannot unlink shared object '" + name + "'");
}

std::string SharedMapping::random_name() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("getrandom");
    got += static_cast<size_t>(n);
  }
  return name_of_random(bytes, sizeof bytes);
}

}  // namespace mproc::platform
