// The CRT descriptors handed to the program for library descriptors
// (user_fd.cpp), forgotten when the library's descriptor closes.
#pragma once

namespace mproc::platform {

void forget_user_fd(int fd) noexcept;

}  // namespace mproc::platform
