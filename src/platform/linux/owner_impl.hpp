// Linux keeps the portable owner hooks: the robust futex list tells a dead
// owner in the word itself. Reached through platform/owner.hpp.
#pragma once

#include "../posix/owner_impl.hpp"
