#include "platform/shm.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include "platform/error.hpp"

namespace mproc::platform {
namespace {

std::string shm_path(const std::string& name) { return "/" + name; }

size_t size_of(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) fail_errno("fstat of shared memory");
  return static_cast<size_t>(st.st_size);
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
      size_(std::exchange(other.size_, 0)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, size_);
    fd_ = std::move(other.fd_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMapping::~SharedMapping() {
  if (data_ != nullptr) munmap(data_, size_);
}

SharedMapping SharedMapping::create(size_t size) {
  UniqueFd fd(memfd_create("mproc", MFD_CLOEXEC));
  if (!fd) fail_errno("memfd_create");
  // The file is sparse: pages cost memory only once touched.
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
    fail_errno("ftruncate of shared memory to " + std::to_string(size) + " bytes");
  return SharedMapping(std::move(fd), size);
}

SharedMapping SharedMapping::create_named(const std::string& name, size_t size) {
  check_name(name);
  UniqueFd fd(shm_open(shm_path(name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) fail_errno("cannot create shared object '" + name + "'");
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    int err = errno;
    shm_unlink(shm_path(name).c_str());
    fail_errno("ftruncate of shared object '" + name + "'", err);
  }
  try {
    return SharedMapping(std::move(fd), size);
  } catch (...) {
    shm_unlink(shm_path(name).c_str());  // the name must not outlive the failure
    throw;
  }
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
  static const char hex[] = "0123456789abcdef";
  std::string name = "mproc-";
  for (unsigned char b : bytes) {
    name += hex[b >> 4];
    name += hex[b & 15];
  }
  return name;
}

void SharedMapping::check_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    fail(MPROC_EINVAL, "shared object names are 1 to 200 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok)
      fail(MPROC_EINVAL, "shared object name '" + name +
                             "' may hold only letters, digits, '-', '_' and '.'");
  }
  if (name == "." || name == "..") fail(MPROC_EINVAL, "shared object name may not be . or ..");
}

}  // namespace mproc::platform
